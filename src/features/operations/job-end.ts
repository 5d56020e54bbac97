// The last part of a plan that starts a long job: follow the job until it ends, then leave a
// clean state. After success the concluded job is dismissed and the nodes nothing uses any more
// are closed (blockdev-del flushes an image and drops its lock); after a failure or a cancel
// every step the plan did is undone and the files it created are named as incomplete.
import type { EndReport } from '../../api/plan-runs.ts';
import type { JsonObject } from '../../qmp/wire.ts';
import {
  readLiveState,
  type JobInfo,
  type LiveState,
  type QmpExecutor,
} from './plans/live-state.ts';
import { unusedNodes } from './plans/node-removal.ts';
import type { JobEnd } from './plans/types.ts';

/** The job list after its next change; the page takes it from the proxy's shared poll. */
export interface JobUpdates {
  next(signal?: AbortSignal): Promise<JobInfo[]>;
}

export interface EndOptions {
  updates: JobUpdates;
  onJob?: (job: JobInfo) => void;
  signal?: AbortSignal;
  readLive?: () => Promise<LiveState>;
  execute: (command: string, args: JsonObject) => Promise<unknown>;
  /** Undoes every step of the plan, newest first; returns what could not be undone. */
  undo: () => Promise<string[]>;
}

/** Polls query-jobs; for clients that do not see the proxy's shared poll (tests, scripts). */
export function pollingUpdates(client: QmpExecutor, intervalMs: number): JobUpdates {
  return {
    next: (signal) =>
      new Promise<JobInfo[]>((resolve, reject) => {
        const timer = setTimeout(() => {
          signal?.removeEventListener('abort', stop);
          (client.execute('query-jobs') as Promise<JobInfo[]>).then(resolve, reject);
        }, intervalMs);
        const stop = () => {
          clearTimeout(timer);
          reject(new Error('stopped following the job'));
        };
        signal?.addEventListener('abort', stop, { once: true });
      }),
  };
}

async function lastState(
  client: QmpExecutor,
  end: JobEnd,
  options: EndOptions,
): Promise<JobInfo | undefined> {
  let jobs = (await options.execute('query-jobs', {})) as JobInfo[];
  for (;;) {
    const job = jobs.find((j) => j.id === end.job);
    if (!job) return undefined;
    options.onJob?.(job);
    if (job.status === 'concluded') return job;
    jobs = await options.updates.next(options.signal);
  }
}

async function closeUnused(end: JobEnd, live: LiveState, options: EndOptions, report: EndReport) {
  for (const node of unusedNodes(live, end.closeUnused)) {
    try {
      await options.execute('blockdev-del', { 'node-name': node });
      report.closed.push(node);
    } catch (error) {
      report.problems.push(`blockdev-del ${node}: ${messageOf(error)}`);
    }
  }
}

function messageOf(error: unknown): string {
  if (error && typeof error === 'object' && 'desc' in error) return String(error.desc);
  return error instanceof Error ? error.message : String(error);
}

/** Follows the job to its end and cleans up; never throws for QEMU's refusals, reports them. */
export async function finishJob(
  client: QmpExecutor,
  end: JobEnd,
  options: EndOptions,
): Promise<EndReport> {
  const report: EndReport = {
    job: end.job,
    outcome: 'unknown',
    closed: [],
    incompleteFiles: [],
    problems: [],
  };
  const readLive = options.readLive ?? (() => readLiveState(client));
  let job: JobInfo | undefined;
  try {
    job = await lastState(client, end, options);
  } catch (error) {
    // QEMU went away or the operator stopped following: nothing is known, nothing is touched.
    report.problems.push(
      `stopped following job '${end.job}' (${messageOf(error)}); nothing was cleaned up, check the graph`,
    );
    return report;
  }
  if (job && end.dismiss) {
    await options.execute('job-dismiss', { id: end.job }).catch((error: unknown) => {
      report.problems.push(`job-dismiss ${end.job}: ${messageOf(error)}`);
    });
  }
  if (job) {
    report.outcome = job.error === undefined ? 'succeeded' : 'failed';
    if (job.error !== undefined) report.error = job.error;
  } else if (end.succeeded) {
    report.outcome = end.succeeded(await readLive()) ? 'succeeded' : 'failed';
    if (report.outcome === 'failed') {
      report.error = `job '${end.job}' ended without finishing its work (QEMU's reason is in the event log)`;
    }
  } else {
    report.problems.push(
      `job '${end.job}' was dismissed elsewhere before Blockscope saw how it ended; nothing was cleaned up`,
    );
    return report;
  }
  if (report.outcome === 'succeeded') {
    await closeUnused(end, await readLive(), options, report);
  } else {
    report.problems.push(...(await options.undo()));
    report.incompleteFiles.push(...end.createdFiles);
  }
  return report;
}
