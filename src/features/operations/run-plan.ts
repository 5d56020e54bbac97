// Runs a plan's steps in order through any QMP executor. It waits for jobs where a step says
// so (polling query-jobs: creation jobs emit no block-job events), stops at the first error,
// reports which step failed with QEMU's own message and a hint, and undoes what it can. A plan
// that starts a long job is followed to the job's end and finished there (job-end.ts).
import { ProxyErrorClass } from '../../qmp/errors.ts';
import type { JsonObject } from '../../qmp/wire.ts';
import type { EndReport } from '../../api/plan-runs.ts';
import type { PathLookup } from '../../qmp/file-lookup.ts';
import { describeFile } from './plans/new-file.ts';
import { finishJob, pollingUpdates, type JobUpdates } from './job-end.ts';
import type { QmpExecutor, JobInfo, LiveState } from './plans/live-state.ts';
import { hintFor } from './plans/hints.ts';
import type { Plan, PlanStep, WaitForJob } from './plans/types.ts';

export type StepState = 'pending' | 'running' | 'waiting' | 'done' | 'failed' | 'undone';

export interface StepFailure {
  index: number;
  step: PlanStep;
  errorClass: string;
  message: string;
  hint?: string;
  /** Undo steps that themselves failed (the state may need a manual look). */
  undoErrors: string[];
  /** Set when the steps all ran and the job they started failed or was cancelled. */
  job?: string;
}

export type RunResult =
  | { ok: true; results: unknown[]; end?: EndReport }
  | { ok: false; failure: StepFailure; end?: EndReport };

export interface RunOptions {
  onStep?: (index: number, state: StepState) => void;
  /** Interval between query-jobs polls while waiting for a job (ms). */
  pollMs?: number;
  /** Give up waiting for a job after this long (ms); the job keeps running. */
  waitTimeoutMs?: number;
  signal?: AbortSignal;
  /** Where the runner learns of job changes while it follows a job (default: polling). */
  jobUpdates?: JobUpdates;
  /** The followed job's latest state, for progress. */
  onJob?: (job: JobInfo) => void;
  /** The end phase of a plan that follows a job: waiting, then done, failed or undone. */
  onEnd?: (state: StepState) => void;
  readLive?: () => Promise<LiveState>;
  /** Looks at a path again just before a step creates a file there (the proxy's look-up). */
  lookUpPath?: (path: string) => Promise<PathLookup>;
}

/** A file appeared at a step's path since the plan was made, and nobody confirmed losing it. */
async function fileAppeared(step: PlanStep, options: RunOptions): Promise<string | null> {
  const target = step.createsFile;
  if (!target || target.overwriteConfirmed || !options.lookUpPath) return null;
  const now = await options.lookUpPath(target.path);
  if ('error' in now) return `could not look at ${target.path} again: ${now.error}`;
  if (!now.exists) return null;
  return `${target.path} appeared since the plan was made (${now.type === 'file' ? describeFile(now) : now.type}); nothing was overwritten. Look at the path again and confirm overwriting it, or choose another.`;
}

/** A step the runner itself stopped: a job that failed while waited for, a file in the way. */
class JobWaitError extends Error {
  constructor(
    message: string,
    readonly errorClass = 'JobFailed',
  ) {
    super(message);
    this.name = 'JobWaitError';
  }
}

function describeError(error: unknown): { errorClass: string; message: string } {
  if (error && typeof error === 'object' && 'desc' in error && 'errorClass' in error) {
    return { errorClass: String(error.errorClass), message: String(error.desc) };
  }
  if (error instanceof JobWaitError)
    return { errorClass: error.errorClass, message: error.message };
  const text = error instanceof Error ? error.message : String(error);
  // "command: Class: desc" from simple clients that flatten QMP errors into one message
  const match = /^[\w-]+: (\w+): ([\s\S]*)$/.exec(text);
  return match
    ? { errorClass: match[1] ?? 'Error', message: match[2] ?? text }
    : { errorClass: 'Error', message: text };
}

/**
 * Runs one command, retrying only when the proxy answered "overloaded": such a command was
 * certainly not sent to QEMU, so sending it again cannot run it twice.
 */
async function execute(client: QmpExecutor, command: string, args?: JsonObject): Promise<unknown> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await client.execute(command, args);
    } catch (error) {
      const overloaded =
        typeof error === 'object' &&
        error !== null &&
        (error as { errorClass?: unknown }).errorClass === ProxyErrorClass.Overloaded;
      if (!overloaded || attempt >= 6) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
    }
  }
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new JobWaitError('stopped waiting (cancelled)'));
    });
  });

/** Polls query-jobs until the job reaches one of the wanted states; throws if it fails first. */
export async function waitForJob(
  client: QmpExecutor,
  wait: WaitForJob,
  options: Pick<RunOptions, 'pollMs' | 'waitTimeoutMs' | 'signal'> = {},
): Promise<JobInfo | undefined> {
  const deadline = Date.now() + (options.waitTimeoutMs ?? 10 * 60_000);
  for (;;) {
    const jobs = (await execute(client, 'query-jobs')) as JobInfo[];
    const job = jobs.find((j) => j.id === wait.job);
    if (!job) {
      if (wait.until.includes('null')) return undefined;
      throw new JobWaitError(
        `job '${wait.job}' disappeared before it was ${wait.until.join(' or ')}`,
      );
    }
    if (job.status === 'concluded' && job.error) {
      if (wait.dismissWhenFailed)
        await client.execute('job-dismiss', { id: job.id }).catch(() => undefined);
      throw new JobWaitError(job.error);
    }
    if ((wait.until as string[]).includes(job.status)) return job;
    if (job.status === 'concluded') {
      throw new JobWaitError(`job '${wait.job}' ended before it was ${wait.until.join(' or ')}`);
    }
    if (Date.now() > deadline) {
      throw new JobWaitError(
        `job '${wait.job}' is still ${job.status}; it keeps running, watch it in the jobs panel`,
      );
    }
    await sleep(options.pollMs ?? 200, options.signal);
  }
}

export async function runPlan(
  client: QmpExecutor,
  plan: Plan,
  options: RunOptions = {},
): Promise<RunResult> {
  const results: unknown[] = [];
  for (const [index, step] of plan.steps.entries()) {
    try {
      options.onStep?.(index, 'running');
      const appeared = await fileAppeared(step, options);
      if (appeared) throw new JobWaitError(appeared, 'FileExists');
      results.push(await execute(client, step.command, step.arguments));
      if (step.waitFor) {
        options.onStep?.(index, 'waiting');
        await waitForJob(client, step.waitFor, options);
      }
      options.onStep?.(index, 'done');
    } catch (error) {
      options.onStep?.(index, 'failed');
      const { errorClass, message } = describeError(error);
      const undoErrors = await undoDone(client, plan.steps.slice(0, index), options);
      return {
        ok: false,
        failure: {
          index,
          step,
          errorClass,
          message,
          hint: hintFor(errorClass, message),
          undoErrors,
        },
      };
    }
  }
  if (!plan.end) return { ok: true, results };
  return finishPlan(client, plan, plan.end, results, options);
}

async function finishPlan(
  client: QmpExecutor,
  plan: Plan,
  end: NonNullable<Plan['end']>,
  results: unknown[],
  options: RunOptions,
): Promise<RunResult> {
  options.onEnd?.('waiting');
  const report = await finishJob(client, end, {
    updates: options.jobUpdates ?? pollingUpdates(client, options.pollMs ?? 1000),
    onJob: options.onJob,
    signal: options.signal,
    readLive: options.readLive,
    execute: (command, args) => execute(client, command, args),
    undo: () => undoDone(client, plan.steps, options),
  });
  if (report.outcome !== 'failed') {
    options.onEnd?.(report.problems.length > 0 ? 'failed' : 'done');
    return { ok: true, results, end: report };
  }
  options.onEnd?.('undone');
  const index = Math.max(
    0,
    plan.steps.findIndex((s) => s.arguments['job-id'] === end.job || isJobTransaction(s, end.job)),
  );
  const step = plan.steps[index] ?? plan.steps[0];
  if (!step) return { ok: true, results, end: report };
  const message = report.error ?? 'the job failed';
  return {
    ok: false,
    end: report,
    failure: {
      index,
      step,
      errorClass: 'JobFailed',
      message,
      hint: hintFor('JobFailed', message),
      undoErrors: report.problems,
      job: end.job,
    },
  };
}

function isJobTransaction(step: PlanStep, job: string): boolean {
  const actions = step.command === 'transaction' ? step.arguments.actions : undefined;
  return (
    Array.isArray(actions) &&
    actions.some(
      (a) =>
        typeof a === 'object' &&
        a !== null &&
        !Array.isArray(a) &&
        typeof a.data === 'object' &&
        a.data !== null &&
        !Array.isArray(a.data) &&
        a.data['job-id'] === job,
    )
  );
}

/** Best effort, newest first: a failed plan should leave as little behind as it can. */
async function undoDone(
  client: QmpExecutor,
  done: PlanStep[],
  options: RunOptions,
): Promise<string[]> {
  const errors: string[] = [];
  for (let i = done.length - 1; i >= 0; i--) {
    const undo = done[i]?.undo;
    if (!undo) continue;
    try {
      await execute(client, undo.command, undo.arguments);
      options.onStep?.(i, 'undone');
    } catch (error) {
      errors.push(`${undo.command}: ${describeError(error).message}`);
    }
  }
  return errors;
}
