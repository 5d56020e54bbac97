// Incremental backups and the proxy's backup ledger: a bitmap whose full backup did not complete
// is refused as a base, and the new image's backing file is the previous backup's image.
import { describe, expect, it } from 'vitest';
import type { BackupRecord, BackupRun } from '../../../qmp/backup-records.ts';
import { defaultBackupInput, planBackup, suggestBitmap, withBitmap } from './backup.ts';
import type { DirtyBitmap, LiveState } from './live-state.ts';
import type { TargetChoice } from './target-image.ts';

const bitmap = (name: string): DirtyBitmap => ({
  name,
  recording: true,
  persistent: false,
  busy: false,
  granularity: 65536,
  count: 131072,
});

const run = (job: string, state: BackupRun['state'], file?: string): BackupRun => ({
  job,
  sync: 'full',
  target: `${job}-node`,
  ...(file ? { file, format: 'qcow2' } : {}),
  state,
  startedAt: 1,
});

function liveWith(names: string[], backups?: BackupRecord[]): LiveState {
  return {
    nodes: [
      {
        'node-name': 'top',
        drv: 'qcow2',
        file: '/srv/top.qcow2',
        ro: false,
        image: { 'virtual-size': 1 << 24, filename: '/srv/top.qcow2' },
        'dirty-bitmaps': names.map(bitmap),
      },
    ],
    graph: { nodes: [{ id: 1, type: 'block-driver', name: 'top' }], edges: [] },
    blocks: [{ device: '', qdev: 'vda', inserted: { 'node-name': 'top' } }],
    jobs: [],
    exports: [],
    throttleGroups: [],
    nbdServer: { state: 'unknown' },
    commands: new Set(),
    ...(backups ? { backups } : {}),
  };
}

const record = (name: string, full: BackupRun, extra: Partial<BackupRecord> = {}) => ({
  node: 'top',
  bitmap: name,
  full,
  ...extra,
});

const newImage: TargetChoice = {
  kind: 'new-image',
  path: '/srv/inc.qcow2',
  format: 'qcow2',
  nodeName: 'inc',
  // The proxy's look-up found nothing at the path.
  lookup: { path: '/srv/inc.qcow2', exists: false },
};

function incremental(live: LiveState, name: string) {
  return planBackup(live, {
    source: 'top',
    jobId: 'inc1',
    sync: 'incremental',
    bitmap: name,
    target: newImage,
  });
}

describe('incremental backups and the backup ledger', () => {
  it('refuses a bitmap whose full backup was cancelled, failed or is still running', () => {
    const live = liveWith(
      ['c', 'f', 'r'],
      [
        record('c', run('bk1', 'cancelled')),
        record('f', { ...run('bk2', 'failed'), error: 'No space left on device' }),
        record('r', run('bk3', 'running')),
      ],
    );
    expect(incremental(live, 'c')).toEqual({
      ok: false,
      problems: [
        {
          field: 'bitmap',
          message:
            "Bitmap 'c' cannot be the base of an incremental backup: its full backup 'bk1' was cancelled: an incremental from it would be incomplete. Remove it and start a new full backup with a new bitmap.",
        },
      ],
    });
    const failed = incremental(live, 'f');
    expect(!failed.ok && failed.problems[0]?.message).toMatch(
      /full backup 'bk2' failed \(No space left on device\)/,
    );
    const running = incremental(live, 'r');
    expect(!running.ok && running.problems[0]?.message).toMatch(
      /full backup 'bk3' is still running.*Wait until 'bk3' completes/,
    );
    // The bitmap sync is refused alike.
    const bitmapSync = planBackup(live, {
      source: 'top',
      jobId: 'inc1',
      sync: 'bitmap',
      bitmapMode: 'on-success',
      bitmap: 'c',
      target: newImage,
    });
    expect(bitmapSync.ok).toBe(false);
  });

  it('refuses a bitmap that was cleared after its full backup, even by device name', () => {
    const live = liveWith(
      ['b'],
      [
        {
          ...record('b', run('bk1', 'completed')),
          node: 'vda',
          broken: { cause: 'cleared', at: 2 },
        },
      ],
    );
    const result = incremental(live, 'b');
    expect(!result.ok && result.problems[0]?.message).toMatch(
      /it was cleared after its full backup 'bk1'/,
    );
  });

  it('allows a bitmap with a completed full backup, and one with no record', () => {
    const live = liveWith(['ok', 'other'], [record('ok', run('bk1', 'completed'))]);
    expect(incremental(live, 'ok').ok).toBe(true);
    expect(incremental(live, 'other').ok).toBe(true);
    // Without a ledger at all (a proxy that sends none), nothing is refused for it either.
    expect(incremental(liveWith(['ok']), 'ok').ok).toBe(true);
  });

  it("prefills the backing file with the previous backup's image, and takes it back", () => {
    const live = liveWith(
      ['a', 'b', 'c'],
      [
        record('a', run('bk1', 'completed', '/srv/full.qcow2')),
        record('b', run('bk2', 'completed', '/srv/full2.qcow2'), {
          lastIncremental: { ...run('i1', 'completed', '/srv/inc1.qcow2'), sync: 'incremental' },
        }),
        record('c', run('bk3', 'cancelled', '/srv/partial.qcow2')),
      ],
    );
    const input = { ...defaultBackupInput(live, 'top'), sync: 'incremental' as const };
    const fromA = withBitmap(live, input, 'a');
    expect(fromA.target).toMatchObject({ backing: { file: '/srv/full.qcow2', format: 'qcow2' } });
    const fromB = withBitmap(live, fromA, 'b');
    expect(fromB.target).toMatchObject({ backing: { file: '/srv/inc1.qcow2', format: 'qcow2' } });
    // A partial full backup is no base: the prefill goes rather than pointing at it.
    const fromC = withBitmap(live, fromB, 'c');
    expect(fromC.bitmap).toBe('c');
    expect(fromC.target).not.toHaveProperty('backing');
    // A backing file the operator typed stays.
    const typed = withBitmap(
      live,
      { ...fromA, target: { ...newImage, backing: { file: '/srv/mine.qcow2', format: 'qcow2' } } },
      'b',
    );
    expect(typed.target).toMatchObject({ backing: { file: '/srv/mine.qcow2' } });
    // Back to a full backup: no bitmap, no prefilled backing.
    const full = withBitmap(live, fromB, undefined);
    expect(full.bitmap).toBeUndefined();
    expect(full.target).not.toHaveProperty('backing');
    // The prefilled backing file reaches the qcow2 the plan creates.
    const target = fromB.target.kind === 'new-image' ? fromB.target : undefined;
    const plan = planBackup(live, {
      ...fromB,
      jobId: 'inc1',
      ...(target ? { target: { ...target, lookup: { path: target.path, exists: false } } } : {}),
    });
    expect(plan.ok && plan.plan.steps.map((s) => s.arguments)).toContainEqual(
      expect.objectContaining({
        options: expect.objectContaining({
          'backing-file': '/srv/inc1.qcow2',
          'backing-fmt': 'qcow2',
        }),
      }),
    );
  });

  it('suggests a recorded bitmap first and never an untrusted one; a new bitmap when none can go on', () => {
    const backups = [
      record('bad', run('bk1', 'cancelled')),
      record('good', run('bk2', 'completed')),
    ];
    expect(suggestBitmap(liveWith(['bad', 'free', 'good'], backups), 'top')).toBe('good');
    expect(suggestBitmap(liveWith(['bad', 'free'], backups), 'top')).toBe('free');
    expect(suggestBitmap(liveWith(['bad'], backups), 'top')).toBeUndefined();
    expect(
      defaultBackupInput(
        liveWith(['top-changes'], [record('top-changes', run('b', 'failed'))]),
        'top',
      ).newBitmap,
    ).toEqual({ name: 'top-changes-2' });
    expect(defaultBackupInput(liveWith(['free'], backups), 'top').newBitmap).toBeUndefined();
  });
});
