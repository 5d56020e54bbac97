import { describe, expect, it } from 'vitest';
import type { JsonObject, QmpEvent } from '../../qmp/wire.ts';
import {
  reconcileListed,
  reduceTimeline,
  withObserved,
  withoutEnded,
  withReportedError,
  type Timeline,
} from './job-timeline.ts';

const BASE = 1_795_317_951;
function ev(event: string, data: JsonObject, ms = 0): QmpEvent {
  return {
    event,
    data,
    timestamp: { seconds: BASE + Math.floor(ms / 1000), microseconds: (ms % 1000) * 1000 },
  };
}
const status = (id: string, s: string, ms = 0) => ev('JOB_STATUS_CHANGE', { id, status: s }, ms);
const fold = (events: QmpEvent[], start: Timeline = {}) =>
  events.reduce((t, e) => reduceTimeline(t, e, 0), start);

// The exact order QEMU 7.2 sends for a mirror with auto-finalize/auto-dismiss off, completed by
// hand (qmp-domain.md §4.3, mirror-manual-finalize.json).
const MANUAL_MIRROR = [
  status('mir', 'created', 0),
  status('mir', 'running', 1),
  status('mir', 'ready', 8000),
  ev(
    'BLOCK_JOB_READY',
    { device: 'mir', len: 67108864, offset: 67108864, speed: 8388608, type: 'mirror' },
    8001,
  ),
  status('mir', 'waiting', 9000),
  status('mir', 'pending', 9001),
  ev('BLOCK_JOB_PENDING', { type: 'mirror', id: 'mir' }, 9002),
  ev(
    'BLOCK_JOB_COMPLETED',
    { device: 'mir', len: 67108864, offset: 67108864, speed: 8388608, type: 'mirror' },
    9500,
  ),
  status('mir', 'concluded', 9501),
  status('mir', 'null', 10000),
];

describe('reduceTimeline', () => {
  it('records the mirror lifecycle in order, with QEMU timestamps', () => {
    const h = fold(MANUAL_MIRROR).mir!;
    expect(h.entries.map((e) => e.text)).toEqual([
      'created',
      'running',
      'ready',
      'ready to complete',
      'waiting',
      'pending',
      'waiting to be finalized',
      'completed',
      'concluded',
      'null',
    ]);
    expect(h.type).toBe('mirror');
    expect(h.outcome).toBe('completed');
    expect(h.createdAt).toBe(BASE * 1000);
    expect(h.endedAt).toBe(BASE * 1000 + 10000);
  });

  it('keys BLOCK_JOB_PENDING by id and the other BLOCK_JOB_* by device', () => {
    const t = fold([
      ev('BLOCK_JOB_PENDING', { type: 'backup', id: 'b1' }),
      ev('BLOCK_JOB_READY', { device: 'm2', type: 'mirror' }),
    ]);
    expect(Object.keys(t).sort()).toEqual(['b1', 'm2']);
  });

  it("counts a burst of 16 identical errors as one entry and keeps QEMU's error text", () => {
    // job-error-log.txt, case F: ENOSPC on every write with on-target-error=report.
    const events = [status('mRep', 'created'), status('mRep', 'running')];
    for (let i = 0; i < 16; i++) {
      events.push(
        ev('BLOCK_JOB_ERROR', { device: 'mRep', operation: 'write', action: 'report' }, 1),
      );
    }
    events.push(
      status('mRep', 'aborting', 1),
      ev(
        'BLOCK_JOB_COMPLETED',
        {
          device: 'mRep',
          len: 67108864,
          offset: 0,
          speed: 0,
          type: 'mirror',
          error: 'No space left on device',
        },
        1,
      ),
      status('mRep', 'concluded', 1),
    );
    const h = fold(events).mRep!;
    const errors = h.entries.filter((e) => e.kind === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.count).toBe(16);
    expect(h.outcome).toBe('failed');
    expect(h.errorText).toBe('No space left on device');
    expect(h.errors).toEqual(['write error, action report', 'No space left on device']);
    expect(h.endedAt).toBeUndefined(); // auto-dismiss off: still there until dismissed
  });

  it('tells cancelled from completed (block-job-cancel on a ready mirror completes)', () => {
    const cancelled = fold([
      status('a', 'created'),
      status('a', 'aborting'),
      ev('BLOCK_JOB_CANCELLED', { device: 'a', type: 'mirror' }),
      status('a', 'concluded'),
      status('a', 'null'),
    ]);
    expect(cancelled.a!.outcome).toBe('cancelled');
    const kept = fold([
      status('k', 'ready'),
      status('k', 'waiting'),
      status('k', 'pending'),
      ev('BLOCK_JOB_COMPLETED', { device: 'k', type: 'mirror' }),
      status('k', 'concluded'),
    ]);
    expect(kept.k!.outcome).toBe('completed');
  });

  it('starts a fresh history when a dismissed job id is reused', () => {
    const t = fold([...MANUAL_MIRROR, status('mir', 'created', 20000)]);
    expect(t.mir!.entries).toHaveLength(1);
    expect(t.mir!.endedAt).toBeUndefined();
    expect(t.mir!.outcome).toBeUndefined();
  });

  it('ignores events that are not about jobs', () => {
    const t = fold([ev('RESUME', {})]);
    expect(t).toEqual({});
  });
});

describe('outside events', () => {
  it('keeps an error only seen in query-jobs (a failed blockdev-create)', () => {
    const t = withReportedError({}, 'c1', 'Image size must be a multiple of 512 bytes');
    expect(t.c1).toMatchObject({
      outcome: 'failed',
      errors: ['Image size must be a multiple of 512 bytes'],
    });
    expect(withReportedError(t, 'c1', 'Image size must be a multiple of 512 bytes')).toBe(t);
  });

  it('closes the history of a job that vanished while its events were missed', () => {
    const seenAt = 5_000; // browser clock, unrelated to QEMU's timestamps
    const t = [status('r', 'created', 0), status('r', 'running', 1)].reduce<Timeline>(
      (acc, e) => reduceTimeline(acc, e, seenAt),
      {},
    );
    expect(reconcileListed(t, new Set(), seenAt + 1000, 3000)).toBe(t);
    const later = reconcileListed(t, new Set(), seenAt + 10_000);
    expect(later.r).toMatchObject({ outcome: 'gone', endedAt: seenAt + 10_000 });
    expect(reconcileListed(t, new Set(['r']), seenAt + 10_000)).toBe(t);
  });

  it('accounts for a job only ever seen in answers, so its disappearance is noticed', () => {
    const seen = withObserved({}, 'old', 'backup', 'running');
    expect(seen.old).toMatchObject({ type: 'backup', lastStatus: 'running', entries: [] });
    expect(withObserved(seen, 'old', 'backup', 'running')).toBe(seen);
    expect(reconcileListed(seen, new Set(), 1_000).old).toMatchObject({ outcome: 'gone' });
  });

  it('clears ended histories only', () => {
    const t = fold([...MANUAL_MIRROR, status('live', 'running')]);
    expect(Object.keys(withoutEnded(t))).toEqual(['live']);
  });
});
