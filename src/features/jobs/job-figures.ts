// The words in a job card's figures: measured rate, ETA, elapsed time. Pure, so the rules
// (no ETA for a ready job, no rate for a finished one, elapsed frozen at the end) are tested.
import type { JobRow } from './job-model.ts';
import type { ProgressSample, RateEstimate } from './job-rate.ts';
import type { JobHistory } from './job-timeline.ts';
import { formatRate } from '../../schema/units.ts';
import { formatDuration } from './job-format.ts';

/** States where copying is idle by design; a rate is shown only if data still moves. */
const QUIET = new Set(['ready', 'standby', 'paused']);

/**
 * The samples a card's rate is measured over. In a quiet state (ready, standby, paused) only
 * those since the page heard of it count: the bulk copy before a mirror became ready, or the
 * copying before a pause, is not what moves now. `lastSeenAt` is the browser-clock arrival of
 * the job's latest event, the state change itself in these states.
 */
export function samplesForRate(
  job: JobRow,
  history: JobHistory | undefined,
  samples: readonly ProgressSample[],
): readonly ProgressSample[] {
  const since = QUIET.has(job.status) ? history?.lastSeenAt : undefined;
  return since === undefined ? samples : samples.filter((s) => s.t >= since);
}

export interface CardFigures {
  rate: string;
  eta: string;
  elapsed: string;
}

export function cardFigures(
  job: JobRow,
  history: JobHistory | undefined,
  samples: readonly ProgressSample[],
  estimate: RateEstimate,
  now: number,
): CardFigures {
  // "stalled" only where progress is expected: a ready (in-sync) or paused job is not stalled.
  const rate =
    job.status === 'running' || job.status === 'created'
      ? estimate.rate === undefined
        ? 'measuring…'
        : estimate.rate === 0
          ? 'stalled'
          : formatRate(estimate.rate)
      : QUIET.has(job.status) && estimate.rate
        ? formatRate(estimate.rate)
        : '—';

  let eta: string;
  if (job.status === 'ready' || job.status === 'standby') eta = 'in sync';
  else if (job.status !== 'running') eta = '—';
  else if (estimate.etaSeconds !== undefined) eta = `≈ ${formatDuration(estimate.etaSeconds)}`;
  else eta = estimate.rate === undefined ? 'measuring…' : 'recalculating…';

  // From `created` when this page saw it; otherwise at least since the first sample.
  const end = job.status === 'concluded' ? (history?.seenConcludedAt ?? now) : now;
  const elapsed =
    history?.seenCreatedAt !== undefined
      ? formatDuration((end - history.seenCreatedAt) / 1000)
      : job.status === 'concluded'
        ? '—'
        : samples[0]
          ? `≥ ${formatDuration((now - samples[0].t) / 1000)}`
          : '—';
  return { rate, eta, elapsed };
}

const PAST_COPYING = new Set(['ready', 'standby', 'waiting', 'pending', 'concluded']);

/**
 * The bar's fraction. A total of 0 (an active commit of an empty overlay) means nothing was left
 * to copy: full once the job is past copying, empty before.
 */
export function displayFraction(job: JobRow, estimate: RateEstimate): number {
  if (job.total > 0) return estimate.fraction;
  return PAST_COPYING.has(job.status) && job.error === undefined ? 1 : 0;
}
