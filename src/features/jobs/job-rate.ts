// Measured rate and ETA from progress samples (qmp-domain.md §4.5).
// QEMU reports no rate: `speed` is the configured limit. Progress moves in bursts (a 16 MiB
// buffer every ~4 s at 4 MiB/s), so the rate is taken between the points where the counter
// moved, over a window of several seconds, and the shown rate is capped at the limit.
// The total changes with guest writes; after a jump the ETA starts over from samples taken
// since the jump, so an estimate based on the old total is never shown.

export interface ProgressSample {
  /** Client time in ms. */
  t: number;
  current: number;
  total: number;
}

export interface RateOptions {
  /** Sliding window in ms (≥ 3 s, see above). */
  windowMs?: number;
  /** The configured limit in units/s; > 0 caps the displayed rate. */
  speed?: number | undefined;
  /** The least span of samples (ms) before any rate or ETA is shown. */
  minSpanMs?: number;
  /** A total change larger than this fraction of the old total counts as a jump. */
  jumpFraction?: number;
}

export interface RateEstimate {
  /** Units per second over the window, capped at `speed`; undefined until enough samples. */
  rate: number | undefined;
  /** Seconds left at that rate; undefined while unknown (no rate, stalled, just after a jump). */
  etaSeconds: number | undefined;
  /** 0..1; a total of 0 reads as 0 (nothing to measure yet). */
  fraction: number;
  remaining: number;
}

const DEFAULT_WINDOW_MS = 5_000;
const DEFAULT_MIN_SPAN_MS = 2_000;
const DEFAULT_JUMP_FRACTION = 0.01;

/** Index of the first sample after the last jump of the total (0 when there was none). */
export function lastJumpIndex(samples: readonly ProgressSample[], jumpFraction: number): number {
  for (let i = samples.length - 1; i > 0; i--) {
    const before = samples[i - 1]!.total;
    const after = samples[i]!.total;
    if (Math.abs(after - before) > Math.max(1, before * jumpFraction)) return i;
  }
  return 0;
}

/**
 * Units/s from the samples at or after `lowest`. Measured between points where the counter
 * moved, so a burst counts over the time it took to build up; the window reaches back at least
 * `windowMs` before the last move. Silence longer than the average gap between moves (a pause,
 * a stall) counts as time spent, so the rate decays towards 0.
 */
function windowRate(
  samples: readonly ProgressSample[],
  lowest: number,
  windowMs: number,
  minSpanMs: number,
): number | undefined {
  const last = samples[samples.length - 1]!;
  const moves = [lowest];
  for (let i = lowest + 1; i < samples.length; i++) {
    if (samples[i]!.current !== samples[i - 1]!.current) moves.push(i);
  }
  const first = samples[lowest]!;
  if (last.t - first.t < minSpanMs) return undefined;
  const endIndex = moves[moves.length - 1]!;
  const end = samples[endIndex]!;
  let startPos = 0;
  for (let k = 0; k < moves.length - 1; k++) {
    if (samples[moves[k]!]!.t <= end.t - windowMs) startPos = k;
  }
  const start = samples[moves[startPos]!]!;
  const intervals = moves.length - 1 - startPos;
  if (intervals === 0) return 0; // no movement at all since `lowest`
  const averageGap = (end.t - start.t) / intervals;
  const until = Math.max(end.t, last.t - averageGap);
  const seconds = (until - start.t) / 1000;
  return seconds > 0 ? Math.max(0, (end.current - start.current) / seconds) : undefined;
}

export function estimateRate(
  samples: readonly ProgressSample[],
  options: RateOptions = {},
): RateEstimate {
  const last = samples[samples.length - 1];
  if (!last) return { rate: undefined, etaSeconds: undefined, fraction: 0, remaining: 0 };
  const windowMs = Math.max(3_000, options.windowMs ?? DEFAULT_WINDOW_MS);
  const minSpan = options.minSpanMs ?? DEFAULT_MIN_SPAN_MS;
  const remaining = Math.max(0, last.total - last.current);
  const fraction = last.total > 0 ? Math.min(1, last.current / last.total) : 0;
  const cap = (r: number | undefined) =>
    r !== undefined && options.speed !== undefined && options.speed > 0
      ? Math.min(r, options.speed)
      : r;

  // The counter of done work keeps its meaning across total jumps, so the rate uses them all.
  const rate = cap(windowRate(samples, 0, windowMs, minSpan));
  // The ETA only from samples since the last jump, once they span enough time.
  const jump = lastJumpIndex(samples, options.jumpFraction ?? DEFAULT_JUMP_FRACTION);
  const etaRate = cap(windowRate(samples, jump, windowMs, minSpan));
  const etaSeconds =
    remaining === 0 ? 0 : etaRate !== undefined && etaRate > 0 ? remaining / etaRate : undefined;
  return { rate, etaSeconds, fraction, remaining };
}

/** Appends a sample, keeping only what the sparkline and the window need. */
export function addSample(
  samples: readonly ProgressSample[],
  sample: ProgressSample,
  keepMs = 180_000,
): ProgressSample[] {
  const last = samples[samples.length - 1];
  // The counter went backwards: a different job reusing the id. Start over.
  if (last && sample.current < last.current) return [sample];
  // Same moment and same numbers (an event and a poll together): keep one.
  if (
    last &&
    last.current === sample.current &&
    last.total === sample.total &&
    sample.t - last.t < 250
  ) {
    return samples as ProgressSample[];
  }
  const kept = samples.filter((s) => s.t >= sample.t - keepMs);
  kept.push(sample);
  return kept;
}
