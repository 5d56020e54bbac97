import { describe, expect, it } from 'vitest';
import { cardFigures, displayFraction, samplesForRate } from './job-figures.ts';
import type { JobRow } from './job-model.ts';
import type { RateEstimate } from './job-rate.ts';
import type { JobHistory } from './job-timeline.ts';

const MiB = 1024 * 1024;
const job = (status: string) => ({ id: 'm', status }) as JobRow;
const est = (rate: number | undefined, etaSeconds: number | undefined): RateEstimate => ({
  rate,
  etaSeconds,
  fraction: 0.5,
  remaining: 1,
});
const seen = { seenCreatedAt: 1_000, seenConcludedAt: 31_000 } as JobHistory;

describe('cardFigures', () => {
  it('shows a measured rate and an estimate while running', () => {
    expect(cardFigures(job('running'), seen, [], est(2 * MiB, 65), 11_000)).toEqual({
      rate: '2 MiB/s',
      eta: '≈ 1 min 05 s',
      elapsed: '10 s',
    });
  });

  it('says when it is still measuring or recalculating after a total jump', () => {
    expect(cardFigures(job('running'), undefined, [], est(undefined, undefined), 0).eta).toBe(
      'measuring…',
    );
    expect(cardFigures(job('running'), undefined, [], est(MiB, undefined), 0).eta).toBe(
      'recalculating…',
    );
  });

  it('shows "in sync" instead of an ETA for a ready job, and no rate once it has concluded', () => {
    expect(cardFigures(job('ready'), seen, [], est(MiB, 0), 5_000).eta).toBe('in sync');
    expect(cardFigures(job('ready'), seen, [], est(0, 0), 5_000).rate).toBe('—'); // not "stalled"
    expect(cardFigures(job('running'), seen, [], est(0, undefined), 5_000).rate).toBe('stalled');
    const done = cardFigures(job('concluded'), seen, [], est(0, 0), 99_000);
    expect(done).toEqual({ rate: '—', eta: '—', elapsed: '30 s' }); // frozen at `concluded`
  });

  it('gives a lower bound for the elapsed time of a job whose start it did not see', () => {
    const samples = [{ t: 4_000, current: 0, total: 1 }];
    expect(cardFigures(job('running'), undefined, samples, est(0, undefined), 9_000).elapsed).toBe(
      '≥ 5 s',
    );
  });
});

describe('displayFraction', () => {
  it('shows an empty active commit (total 0) as full once ready, empty while starting', () => {
    const zero = (status: string) => ({ id: 'c', status, total: 0, current: 0 }) as JobRow;
    expect(displayFraction(zero('ready'), est(undefined, 0))).toBe(1);
    expect(displayFraction(zero('running'), est(undefined, 0))).toBe(0);
    expect(displayFraction({ ...zero('concluded'), error: 'EIO' }, est(undefined, 0))).toBe(0);
    expect(displayFraction({ ...zero('running'), total: 10 }, est(1, 1))).toBe(0.5);
  });
});

describe('samplesForRate', () => {
  const samples = [0, 1_000, 2_000, 3_000, 4_000].map((t) => ({ t, current: t, total: 9_000 }));
  it('measures a ready or paused job only from what moved since it became so', () => {
    const history = { lastSeenAt: 2_500 } as JobHistory;
    expect(samplesForRate(job('ready'), history, samples).map((s) => s.t)).toEqual([3_000, 4_000]);
    expect(samplesForRate(job('paused'), history, samples).map((s) => s.t)).toEqual([3_000, 4_000]);
  });
  it('keeps every sample of a running job', () => {
    expect(samplesForRate(job('running'), { lastSeenAt: 2_500 } as JobHistory, samples)).toBe(
      samples,
    );
  });
});
