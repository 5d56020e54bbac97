// Finishing a job started by a plan: Complete (pivot), Cancel, Dismiss, speed and copy mode.
// Verbs are only allowed in some states (qmp-domain.md §4.1), so the state is checked first.
import type { LiveState } from './live-state.ts';
import { planned, refuse, type PlanResult, type PlanStep } from './types.ts';

const VERB_STATES: Record<string, string[]> = {
  complete: ['ready', 'standby'],
  cancel: ['created', 'running', 'paused', 'ready', 'standby', 'waiting', 'pending'],
  dismiss: ['concluded'],
  'set-speed': ['created', 'running', 'paused', 'ready', 'standby'],
  change: ['created', 'running', 'paused', 'ready', 'standby'],
};

function verbProblem(live: LiveState, jobId: string, verb: string): PlanResult | null {
  const job = live.jobs.find((j) => j.id === jobId);
  if (!job) return refuse({ field: 'job', message: `There is no job '${jobId}' any more.` });
  const allowed = VERB_STATES[verb] ?? [];
  if (!allowed.includes(job.status)) {
    return refuse({
      field: 'job',
      message: `Job '${jobId}' is ${job.status}; it can ${verb === 'complete' ? 'be completed' : `accept '${verb}'`} only when ${allowed.join(' or ')}.`,
    });
  }
  return null;
}

function dismissStep(jobId: string): PlanStep {
  return {
    title: `Dismiss job ${jobId}`,
    explanation: 'Removes the finished job from the job list.',
    command: 'job-dismiss',
    arguments: { id: jobId },
  };
}

/** Mirror or active commit in READY: switch the users over to the copy, then dismiss. */
export function planJobComplete(live: LiveState, jobId: string): PlanResult {
  const refused = verbProblem(live, jobId, 'complete');
  if (refused) return refused;
  const job = live.jobs.find((j) => j.id === jobId);
  return planned({
    summary: `Complete ${job?.type ?? ''} job '${jobId}': every user of the source switches to the ${job?.type === 'commit' ? 'base image' : 'target'}.`,
    steps: [
      {
        title: 'Complete (switch over)',
        explanation: 'QEMU finishes copying the last writes and switches the users over.',
        command: 'job-complete',
        arguments: { id: jobId },
        waitFor: { job: jobId, until: ['concluded'] },
      },
      dismissStep(jobId),
    ],
    jobIds: [jobId],
  });
}

/**
 * Cancel. With `keepCopy` on a READY mirror, `block-job-cancel` ends the job successfully
 * without switching over (the target keeps a consistent copy); otherwise `job-cancel` aborts.
 */
export function planJobCancel(live: LiveState, jobId: string, keepCopy = false): PlanResult {
  const refused = verbProblem(live, jobId, 'cancel');
  if (refused) return refused;
  const job = live.jobs.find((j) => j.id === jobId);
  const finish = keepCopy && job?.type === 'mirror' && job.status === 'ready';
  return planned({
    summary: finish
      ? `Stop mirror '${jobId}' without switching over; the target keeps an in-sync copy.`
      : `Cancel job '${jobId}'; what it copied so far is not used.`,
    steps: [
      {
        title: finish ? 'Stop the mirror, keep the copy' : 'Cancel the job',
        explanation: finish
          ? 'block-job-cancel on a ready mirror completes it without a switch-over.'
          : 'job-cancel aborts the job.',
        command: finish ? 'block-job-cancel' : 'job-cancel',
        arguments: finish ? { device: jobId } : { id: jobId },
        waitFor: { job: jobId, until: ['concluded'] },
      },
      dismissStep(jobId),
    ],
    jobIds: [jobId],
  });
}

export function planJobDismiss(live: LiveState, jobId: string): PlanResult {
  const refused = verbProblem(live, jobId, 'dismiss');
  if (refused) return refused;
  return planned({ summary: `Dismiss job '${jobId}'.`, steps: [dismissStep(jobId)], jobIds: [] });
}

export function planJobSetSpeed(live: LiveState, jobId: string, speed: number): PlanResult {
  const refused = verbProblem(live, jobId, 'set-speed');
  if (refused) return refused;
  return planned({
    summary: `Set the speed limit of job '${jobId}'.`,
    steps: [
      {
        title: 'Change the speed limit',
        explanation: speed === 0 ? 'Removes the limit.' : `Limits the job to ${speed} bytes/s.`,
        command: 'block-job-set-speed',
        arguments: { device: jobId, speed },
      },
    ],
    jobIds: [jobId],
  });
}

/** Switch a running mirror to write-blocking (block-job-change, QEMU 8.2 and later). */
export function planMirrorWriteBlocking(live: LiveState, jobId: string): PlanResult {
  if (!live.commands.has('block-job-change')) {
    return refuse({
      field: 'copy-mode',
      message:
        'This QEMU has no block-job-change (added in 8.2): the copy mode of a running mirror cannot be changed. Start a new mirror with copy mode write-blocking instead.',
    });
  }
  const refused = verbProblem(live, jobId, 'change');
  if (refused) return refused;
  return planned({
    summary: `Switch mirror '${jobId}' to write-blocking: guest writes wait until they reach the target too.`,
    steps: [
      {
        title: 'Switch to write-blocking',
        explanation: 'From now on the mirror copies each guest write synchronously.',
        command: 'block-job-change',
        arguments: { id: jobId, type: 'mirror', 'copy-mode': 'write-blocking' },
      },
    ],
    jobIds: [jobId],
  });
}
