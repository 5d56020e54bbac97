// The shape every operation plan shares: an ordered list of QMP steps, built before anything is
// sent, so the panel can show each step in words and as exact QMP and ask before it runs.
import type { JsonObject } from '../../../qmp/wire.ts';
import type { LiveState } from './live-state.ts';

/** A job state a step can wait for after its command returned (qapi/job.json JobStatus). */
export type JobStatus =
  | 'created'
  | 'running'
  | 'paused'
  | 'ready'
  | 'standby'
  | 'waiting'
  | 'pending'
  | 'aborting'
  | 'concluded'
  | 'null';

export interface WaitForJob {
  job: string;
  /** Done when the job is in one of these states; `null` means "gone from query-jobs". */
  until: JobStatus[];
  /** Dismiss the job when it failed (creation jobs: the plan reports the error itself). */
  dismissWhenFailed?: boolean;
}

export interface PlanStep {
  title: string;
  /** What the step does, in the operator's words. */
  explanation: string;
  command: string;
  arguments: JsonObject;
  waitFor?: WaitForJob;
  /**
   * The step creates a file at `path`: the runner looks again just before it runs, so a file
   * that appeared since the plan was made is not overwritten unless this path was confirmed.
   */
  createsFile?: { path: string; overwriteConfirmed: boolean };
  /** Best-effort undo, run in reverse order when a later step fails (e.g. blockdev-del). */
  undo?: { command: string; arguments: JsonObject };
}

export interface Plan {
  /** One sentence for the confirmation: what will happen. */
  summary: string;
  steps: PlanStep[];
  /** Ids of jobs the plan starts, for the jobs panel to highlight. */
  jobIds: string[];
  /** Consequences the operator should read before confirming (a filter that drops out, ...). */
  warnings?: string[];
  /** Anything the panel should show once the plan ran (an export's URI, a new node's name). */
  result?: { uri?: string; nodeName?: string; exportId?: string };
  /** For plans that start a long job: the runner follows it and ends the plan cleanly. */
  end?: JobEnd;
}

/**
 * How a plan ends once the job it started has ended. On success the concluded job is dismissed
 * and the `closeUnused` nodes nothing uses any more are closed (which flushes them and drops
 * their locks); on failure or cancel every step's undo runs, newest first, and the files the
 * plan created are named as incomplete.
 */
export interface JobEnd {
  job: string;
  /** Started with auto-dismiss off: the runner dismisses the concluded job. */
  dismiss: boolean;
  /** What happens after the job, in the operator's words (shown before the plan runs). */
  explanation: string;
  /** Checked against the state after success, parents first; only unused ones are closed. */
  closeUnused: string[];
  /** Files the plan created; a failed or cancelled job leaves them incomplete on disk. */
  createdFiles: string[];
  /**
   * For jobs that vanish when they end (auto-dismiss on, so QEMU's error goes with them):
   * whether the state afterwards shows the job did its work.
   */
  succeeded?: (live: LiveState) => boolean;
}

/** A reason a plan cannot be built; `field` names the input it is about. */
export interface Problem {
  field?: string;
  message: string;
  /** Not wrong, only not known yet (a look-up on its way): a field shows it as progress. */
  pending?: true;
}

export type PlanResult = { ok: true; plan: Plan } | { ok: false; problems: Problem[] };

export function refuse(...problems: Problem[]): PlanResult {
  return { ok: false, problems };
}

export function planned(plan: Plan): PlanResult {
  return { ok: true, plan };
}

/** Collects problems from several checks; an empty list means the input is acceptable. */
export function problemsOf(...checks: (Problem | null | undefined)[]): Problem[] {
  return checks.filter((p): p is Problem => p != null);
}
