import { describe, expect, it } from 'vitest';
import { addSample, estimateRate, lastJumpIndex, type ProgressSample } from './job-rate.ts';

const MiB = 1024 * 1024;

/**
 * Recorded on QEMU 7.2 (mirror-progress-samples.json): a 64 MiB mirror at speed 8 MiB/s with
 * the default 16 MiB buffer, polled every 0.5 s. Progress moves in 16 MiB bursts.
 */
const CAPTURED: [number, number][] = [
  [0, 0],
  [0.5, 16],
  [1.01, 16],
  [1.51, 16],
  [2.01, 32],
  [2.51, 32],
  [3.02, 32],
  [3.52, 32],
  [4.02, 48],
  [4.52, 48],
  [5.02, 48],
  [5.52, 48],
  [6.03, 64],
  [6.53, 64],
  [7.03, 64],
  [7.53, 64],
];

function capturedBurstySamples(): ProgressSample[] {
  return CAPTURED.map(([t, mib]) => ({ t: t * 1000, current: mib * MiB, total: 64 * MiB }));
}

function steady(rate: number, seconds: number, total: number, every = 500): ProgressSample[] {
  const out: ProgressSample[] = [];
  for (let t = 0; t <= seconds * 1000; t += every) {
    out.push({ t, current: Math.min(total, (rate * t) / 1000), total });
  }
  return out;
}

describe('estimateRate', () => {
  it('shows nothing until the samples span enough time', () => {
    const samples = steady(2 * MiB, 1, 64 * MiB);
    expect(estimateRate(samples).rate).toBeUndefined();
    expect(estimateRate(samples).etaSeconds).toBeUndefined();
  });

  it('measures a smooth job exactly and derives the ETA', () => {
    const samples = steady(2 * MiB, 6, 64 * MiB);
    const r = estimateRate(samples);
    expect(r.rate).toBeCloseTo(2 * MiB, -3);
    expect(r.etaSeconds).toBeCloseTo((64 - 12) / 2, 1);
    expect(r.fraction).toBeCloseTo(12 / 64, 5);
  });

  it('stays near the real rate on the captured 16 MiB bursts, capped at the limit', () => {
    const samples = capturedBurstySamples();
    for (let n = 6; n <= samples.length; n++) {
      const r = estimateRate(samples.slice(0, n), { speed: 8 * MiB });
      expect(r.rate).toBeDefined();
      expect(r.rate!).toBeLessThanOrEqual(8 * MiB);
      // A plain 1 s window would swing between 0 and 32 MiB/s on these samples.
      expect(r.rate!).toBeGreaterThan(6 * MiB);
    }
  });

  it('does not cap when the limit is 0 (unlimited)', () => {
    const r = estimateRate(steady(50 * MiB, 4, 1024 * MiB), { speed: 0 });
    expect(r.rate).toBeCloseTo(50 * MiB, -4);
  });

  it('decays towards 0 when progress stops (paused job)', () => {
    const moving = steady(4 * MiB, 4, 256 * MiB);
    const last = moving[moving.length - 1]!;
    const stalled = [...moving];
    for (let t = 500; t <= 20_000; t += 500) stalled.push({ ...last, t: last.t + t });
    const r = estimateRate(stalled);
    expect(r.rate!).toBeLessThan(1 * MiB);
    expect(estimateRate(moving).rate!).toBeGreaterThan(3.5 * MiB);
  });

  it('forgets the ETA when the total jumps and rebuilds it from newer samples', () => {
    const samples = steady(2 * MiB, 4, 16 * MiB);
    const jumpAt = samples[samples.length - 1]!.t + 500;
    samples.push({ t: jumpAt, current: 9 * MiB, total: 48 * MiB });
    const justAfter = estimateRate(samples);
    expect(justAfter.rate).toBeDefined(); // the rate itself is still measured
    expect(justAfter.etaSeconds).toBeUndefined();
    for (let t = 500; t <= 3000; t += 500) {
      samples.push({ t: jumpAt + t, current: 9 * MiB + (2 * MiB * t) / 1000, total: 48 * MiB });
    }
    const later = estimateRate(samples);
    expect(later.etaSeconds).toBeCloseTo((48 - 15) / 2, 0);
  });

  it('treats a total of 0 as nothing to do (empty active commit)', () => {
    const r = estimateRate([
      { t: 0, current: 0, total: 0 },
      { t: 3000, current: 0, total: 0 },
    ]);
    expect(r.fraction).toBe(0);
    expect(r.etaSeconds).toBe(0);
    expect(r.remaining).toBe(0);
  });
});

describe('samples', () => {
  it('finds the last jump of the total, ignoring small growth', () => {
    const s = [
      { t: 0, current: 0, total: 1000 * MiB },
      { t: 1, current: 1, total: 1000 * MiB + 64 * 1024 }, // below 1 %: guest noise
      { t: 2, current: 2, total: 1100 * MiB },
      { t: 3, current: 3, total: 1100 * MiB },
    ];
    expect(lastJumpIndex(s, 0.01)).toBe(2);
  });

  it('starts over when the counter goes backwards (a new job with the same id)', () => {
    const s = addSample([{ t: 0, current: 50, total: 100 }], { t: 1000, current: 10, total: 100 });
    expect(s).toEqual([{ t: 1000, current: 10, total: 100 }]);
  });

  it('drops samples older than the keep period', () => {
    let s: ProgressSample[] = [];
    for (let t = 0; t <= 10_000; t += 1000) s = addSample(s, { t, current: t, total: 1e6 }, 5000);
    expect(s[0]!.t).toBe(5000);
  });
});
