import { describe, expect, it } from 'vitest';
import type { JsonObject, QmpEvent } from '../../qmp/wire.ts';
import {
  endStateWords,
  finishedRuns,
  foldSteps,
  reconcileListed,
  reduceTimeline,
  withObserved,
  withoutEnded,
  withReportedError,
  type JobHistory,
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

  it('starts a fresh history when a dismissed job id is reused, keeping the old run apart', () => {
    const t = fold([...MANUAL_MIRROR, status('mir', 'created', 20000)]);
    expect(t.mir!.entries).toHaveLength(1);
    expect(t.mir!.endedAt).toBeUndefined();
    expect(t.mir!.outcome).toBeUndefined();
    expect(t['mir#1']).toMatchObject({ id: 'mir', outcome: 'completed' });
    expect(t['mir#1']!.entries).toHaveLength(10);
    // The old run is finished although a job of its id is listed again; the new one is not.
    expect(finishedRuns(t, new Set(['mir'])).map(([key]) => key)).toEqual(['mir#1']);
    const third = fold([...MANUAL_MIRROR.map((e) => ({ ...e })), status('mir', 'created')], t);
    // The running run went on to its end; the next 'created' began a third.
    expect(Object.keys(third).sort()).toEqual(['mir', 'mir#1', 'mir#2']);
    expect(finishedRuns(third, new Set(['mir'])).map(([key]) => key)).toEqual(['mir#1', 'mir#2']);
  });

  it('keeps the old run when a reused id is first seen in an answer from QEMU', () => {
    const t = withObserved(fold(MANUAL_MIRROR), 'mir', 'mirror', 'running');
    expect(t.mir).toMatchObject({ lastStatus: 'running', endedAt: undefined, entries: [] });
    expect(t['mir#1']).toMatchObject({ outcome: 'completed' });
  });

  it('takes back an end an answer older than the job made up', () => {
    // A fast creation job: its events came before any answer that lists it, and a shared read
    // answered from a reply sent before it existed closed its history.
    const seen = fold([status('c', 'created'), status('c', 'running'), status('c', 'concluded')]);
    const closed = reconcileListed(seen, new Set(), 1_000);
    expect(closed.c!.endedAt).toBe(1_000);
    const listed = withObserved(closed, 'c', 'create', 'concluded');
    expect(Object.keys(listed)).toEqual(['c']);
    expect(listed.c).toMatchObject({ endedAt: undefined, lastStatus: 'concluded' });
    expect(finishedRuns(listed, new Set(['c']))).toEqual([]);
  });

  it('counts a burst folded from one history entry', () => {
    const error = ev('BLOCK_JOB_ERROR', { device: 'e', operation: 'write', action: 'report' }, 5);
    const t = reduceTimeline(fold([status('e', 'running')]), error, 100, {
      count: 16,
      lastT: 9_999,
      lastArrivedAt: 200,
    });
    expect(t.e!.entries[1]).toMatchObject({ kind: 'error', count: 16, lastT: 9_999 });
    expect(t.e!.lastSeenAt).toBe(200);
    const more = reduceTimeline(t, error, 300);
    expect(more.e!.entries[1]!.count).toBe(17);
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

const done = (command: string, data: JsonObject) =>
  ev('X_BLOCKSCOPE_COMMAND_DONE', { command, role: 'operator', ...data });
const READY_MIRROR = MANUAL_MIRROR.slice(0, 4);
const END_WITHOUT_ERROR = MANUAL_MIRROR.slice(4);

describe('end state', () => {
  it('a mirror completed by hand switched to its target', () => {
    const t = fold([...READY_MIRROR, done('job-complete', { id: 'mir' }), ...END_WITHOUT_ERROR]);
    expect(t.mir!.finish).toEqual({
      verb: 'complete',
      whileReady: false,
      command: 'job-complete',
      role: 'operator',
    });
    expect(endStateWords(t.mir!)).toBe('Completed, switched to the target');
  });

  it('a mirror cancelled while ready ends completed in QEMU words, but kept its source', () => {
    const cancel = done('block-job-cancel', { device: 'mir' });
    const t = fold([...READY_MIRROR, cancel, ...END_WITHOUT_ERROR]);
    expect(t.mir!.outcome).toBe('completed');
    expect(endStateWords(t.mir!)).toBe(
      'Finished, source kept (the target is a copy as of the cancel)',
    );
    // The notice may come after the job's own end events (one read from QEMU): same answer.
    const late = fold([...READY_MIRROR, ...END_WITHOUT_ERROR, cancel]);
    expect(late.mir!.finish?.whileReady).toBe(true);
    expect(endStateWords(late.mir!)).toBe(
      'Finished, source kept (the target is a copy as of the cancel)',
    );
  });

  it('a cancel before ready, or a forced one, is a cancel', () => {
    const early = fold([
      status('mir', 'created'),
      status('mir', 'running'),
      done('block-job-cancel', { device: 'mir' }),
      status('mir', 'aborting'),
      ev('BLOCK_JOB_CANCELLED', { device: 'mir', type: 'mirror' }),
      status('mir', 'concluded'),
      status('mir', 'null'),
    ]);
    expect(early.mir!.finish?.whileReady).toBe(false);
    expect(endStateWords(early.mir!)).toBe('Cancelled');
    const forced = fold([
      ...READY_MIRROR,
      done('job-cancel', { id: 'mir' }),
      status('mir', 'aborting'),
      ev('BLOCK_JOB_CANCELLED', { device: 'mir', type: 'mirror' }),
      status('mir', 'concluded'),
      status('mir', 'null'),
    ]);
    expect(endStateWords(forced.mir!)).toBe('Cancelled');
  });

  it('without a notice, or for a job that does not switch, it says only completed', () => {
    expect(endStateWords(fold(MANUAL_MIRROR).mir!)).toBe('Completed');
    const backup = fold([
      ev('JOB_STATUS_CHANGE', { id: 'b', status: 'created' }),
      ev('BLOCK_JOB_COMPLETED', { device: 'b', type: 'backup', len: 1, offset: 1, speed: 0 }),
      status('b', 'concluded'),
      status('b', 'null'),
    ]);
    expect(endStateWords(backup.b!)).toBe('Completed');
    expect(endStateWords(fold([status('x', 'running')]).x!)).toBe('Ended while not watched');
  });

  it("a creation job's error, told only by query-jobs, comes in the proxy's notice", () => {
    const t = fold([
      status('cb', 'created'),
      status('cb', 'running'),
      status('cb', 'aborting'),
      status('cb', 'concluded'),
      ev('X_BLOCKSCOPE_JOB_ERROR', {
        id: 'cb',
        type: 'create',
        error: 'Image size must be a multiple of 512 bytes',
      }),
      status('cb', 'null'),
    ]);
    expect(t.cb).toMatchObject({
      outcome: 'failed',
      errorText: 'Image size must be a multiple of 512 bytes',
    });
    expect(endStateWords(t.cb!)).toBe('Failed');
    expect(fold([ev('X_BLOCKSCOPE_JOB_ERROR', { id: 'unseen', error: 'x' })])).toEqual({});
  });

  it('takes the type of a job started through the proxy from its notice, even after its end', () => {
    const quick = [status('c1', 'created'), status('c1', 'running'), status('c1', 'concluded')];
    const late = fold([...quick, done('blockdev-create', { 'job-id': 'c1' })]);
    expect(late.c1).toMatchObject({ type: 'create', outcome: 'completed' });
    expect(Object.keys(late)).toEqual(['c1']);
    const early = fold([
      status('m2', 'created'),
      done('blockdev-mirror', { 'job-id': 'm2', device: 'd' }),
    ]);
    expect(early.m2!.type).toBe('mirror');
    // A block job without job-id is named by its device.
    expect(fold([done('block-stream', { device: 'vd0' })]).vd0!.type).toBe('stream');
  });

  it('ignores notices of other commands and of jobs it never saw', () => {
    const t = fold(READY_MIRROR);
    expect(fold([done('blockdev-add', { 'node-name': 'mir' })], t)).toBe(t);
    expect(fold([done('block-job-cancel', { device: 'other' })], t)).toBe(t);
  });
});

describe('foldSteps', () => {
  const run = (
    id: string,
    type: string,
    outcome: JobHistory['outcome'],
    from: number,
    to = from + 100,
  ) =>
    [
      id,
      {
        ...fold([status(id, 'created')])[id]!,
        type,
        outcome,
        seenCreatedAt: from,
        seenConcludedAt: to,
        endedAt: to,
      },
    ] as [string, JobHistory];

  it('puts the creations before a job under it, and keeps the others loose', () => {
    const finished = [
      run('c-old', 'create', 'completed', 0),
      run('c-file', 'create', 'completed', 100_000),
      run('c-fmt', 'create', 'completed', 100_500),
      run('c-bad', 'create', 'failed', 100_600),
      run('mirror-1', 'mirror', 'completed', 101_000, 120_000),
      run('c-next', 'create', 'completed', 130_000),
      run('backup-1', 'backup', 'completed', 131_000),
      run('c-last', 'create', 'completed', 200_000),
    ];
    const { stepsOf, loose, operations } = foldSteps(finished);
    expect(stepsOf.get('mirror-1')?.map(([k]) => k)).toEqual(['c-file', 'c-fmt']);
    expect(stepsOf.get('backup-1')?.map(([k]) => k)).toEqual(['c-next']);
    // A minute before the next job, and after the last: not a step of either.
    expect(loose.map(([k]) => k)).toEqual(['c-old', 'c-last']);
    // A failed creation stays in sight.
    expect(operations.map(([k]) => k)).toEqual(['c-bad', 'mirror-1', 'backup-1']);
  });
});
