import { describe, expect, it } from 'vitest';
import type { JsonObject, QmpEvent } from '../src/qmp/wire.ts';
import { BackupLedger } from './backup-ledger.ts';

const at = { seconds: 0, microseconds: 0 };
const ev = (event: string, data: JsonObject): QmpEvent => ({ event, data, timestamp: at });
const completed = (job: string, error?: string) =>
  ev('BLOCK_JOB_COMPLETED', {
    type: 'backup',
    device: job,
    len: 10,
    offset: error ? 3 : 10,
    speed: 0,
    ...(error ? { error } : {}),
  });
const cancelled = (job: string) =>
  ev('BLOCK_JOB_CANCELLED', { type: 'backup', device: job, len: 10, offset: 3, speed: 0 });
const created = (job: string) => ev('JOB_STATUS_CHANGE', { id: job, status: 'created' });

/** The transaction a full backup plan sends: a new bitmap and a full backup, atomically. */
function fullBackup(node: string, bitmap: string, job: string, target: string): JsonObject {
  return {
    actions: [
      { type: 'block-dirty-bitmap-add', data: { node, name: bitmap } },
      {
        type: 'blockdev-backup',
        data: { 'job-id': job, device: node, target, sync: 'full', speed: 1024 },
      },
    ],
  };
}

function make(maxRecords = 256) {
  let clock = 1_000;
  const ledger = new BackupLedger({ maxRecords, maxJobs: 8, maxNodes: 8 }, () => clock++);
  // The target as a plan opens it: a protocol node, then a qcow2 node on top of it.
  ledger.commandSucceeded('blockdev-add', {
    driver: 'file',
    'node-name': 'full-file',
    filename: '/srv/full.qcow2',
  });
  ledger.commandSucceeded('blockdev-add', {
    driver: 'qcow2',
    'node-name': 'full',
    file: 'full-file',
    backing: null,
  });
  return ledger;
}

describe('BackupLedger', () => {
  it('records a bitmap started atomically with a full backup, and the cancel that ends it', () => {
    const ledger = make();
    expect(ledger.commandSucceeded('transaction', fullBackup('top', 'bm', 'bk1', 'full'))).toBe(
      true,
    );
    expect(ledger.data().backups).toEqual([
      {
        node: 'top',
        bitmap: 'bm',
        full: {
          job: 'bk1',
          sync: 'full',
          target: 'full',
          file: '/srv/full.qcow2',
          format: 'qcow2',
          state: 'running',
          startedAt: 1_000,
        },
      },
    ]);
    expect(ledger.event(cancelled('bk1'))).toBe(true);
    expect(ledger.data().backups[0]?.full).toMatchObject({ state: 'cancelled', endedAt: 1_001 });
  });

  it("keeps QEMU's error for a failed full backup, and marks a completed one", () => {
    const ledger = make();
    ledger.commandSucceeded('transaction', fullBackup('top', 'a', 'bk-a', 'full'));
    ledger.commandSucceeded('transaction', fullBackup('data', 'b', 'bk-b', 'other'));
    ledger.event(completed('bk-a', 'No space left on device'));
    ledger.event(completed('bk-b'));
    const [a, b] = ledger.data().backups;
    expect(a?.full).toMatchObject({ state: 'failed', error: 'No space left on device' });
    expect(b?.full).toMatchObject({ job: 'bk-b', target: 'other', state: 'completed' });
    expect(b?.full.file).toBeUndefined();
  });

  it('records nothing for a bitmap without a full backup of the same node in the transaction', () => {
    const ledger = make();
    const top: JsonObject = {
      actions: [
        { type: 'block-dirty-bitmap-add', data: { node: 'top', name: 'bm' } },
        { type: 'blockdev-backup', data: { device: 'top', target: 'full', sync: 'top' } },
      ],
    };
    const otherNode = fullBackup('top', 'bm', 'bk1', 'full');
    (otherNode.actions as JsonObject[])[1] = {
      type: 'blockdev-backup',
      data: { device: 'data', target: 'full', sync: 'full' },
    };
    expect(ledger.commandSucceeded('transaction', top)).toBe(false);
    expect(ledger.commandSucceeded('transaction', otherNode)).toBe(false);
    // The same pair sent as two commands is not atomic: writes between them would be lost.
    expect(ledger.commandSucceeded('block-dirty-bitmap-add', { node: 'top', name: 'x' })).toBe(
      false,
    );
    expect(
      ledger.commandSucceeded('blockdev-backup', { device: 'top', target: 'full', sync: 'full' }),
    ).toBe(false);
    expect(ledger.data().backups).toEqual([]);
  });

  it('takes an outcome that arrived before the reply, but not one of an earlier job of that id', () => {
    const ledger = make();
    ledger.event(completed('bk1', 'an earlier job'));
    ledger.event(created('bk1'));
    ledger.event(cancelled('bk1'));
    ledger.commandSucceeded('transaction', fullBackup('top', 'bm', 'bk1', 'full'));
    expect(ledger.data().backups[0]?.full).toMatchObject({ state: 'cancelled' });
    expect(ledger.data().backups[0]?.full.error).toBeUndefined();

    const stale = make();
    stale.event(completed('bk2'));
    stale.event(created('bk2'));
    stale.commandSucceeded('transaction', fullBackup('top', 'bm', 'bk2', 'full'));
    expect(stale.data().backups[0]?.full.state).toBe('running');
  });

  it('names a job without job-id after its device, and reads drive-backup targets as files', () => {
    const ledger = make();
    ledger.commandSucceeded('transaction', {
      actions: [
        { type: 'block-dirty-bitmap-add', data: { node: 'drive0', name: 'bm' } },
        {
          type: 'drive-backup',
          data: { device: 'drive0', target: '/srv/d.qcow2', format: 'qcow2', sync: 'full' },
        },
      ],
    });
    expect(ledger.data().backups[0]?.full).toMatchObject({
      job: 'drive0',
      file: '/srv/d.qcow2',
      format: 'qcow2',
    });
    expect(ledger.event(completed('drive0'))).toBe(true);
  });

  it('settles the id of a job started without job-id from query-block', () => {
    const ledger = make();
    const noId = fullBackup('top', 'bm', 'unused', 'full');
    delete ((noId.actions as JsonObject[])[1]!.data as JsonObject)['job-id'];
    ledger.commandSucceeded('transaction', noId);
    expect(ledger.data().backups[0]?.full.job).toBe('top');
    expect(ledger.jobsToResolve()).toBe(true);
    expect(ledger.jobsToResolve()).toBe(false);
    // QEMU named it after the node's BlockBackend, and it ended before the answer came.
    ledger.event(created('drive0'));
    expect(ledger.event(completed('drive0'))).toBe(false);
    const blocks = [
      { device: '', qdev: 'vdb', inserted: { 'node-name': 'data' } },
      { device: 'drive0', qdev: 'vda', inserted: { 'node-name': 'top' } },
    ];
    expect(ledger.resolveJobs(blocks)).toBe(true);
    expect(ledger.data().backups[0]?.full).toMatchObject({ job: 'drive0', state: 'completed' });

    // Given the BlockBackend's own name, the guess was right.
    const byDrive = make();
    byDrive.commandSucceeded('transaction', {
      actions: [
        { type: 'block-dirty-bitmap-add', data: { node: 'drive0', name: 'bm' } },
        { type: 'blockdev-backup', data: { device: 'drive0', target: 'full', sync: 'full' } },
      ],
    });
    expect(byDrive.resolveJobs(blocks)).toBe(false);
    expect(byDrive.event(cancelled('drive0'))).toBe(true);
  });

  it('follows incrementals: a completed one is the next base, a failed on-success one changes nothing', () => {
    const ledger = make();
    ledger.commandSucceeded('transaction', fullBackup('top', 'bm', 'bk1', 'full'));
    ledger.event(completed('bk1'));
    ledger.commandSucceeded('blockdev-add', {
      driver: 'qcow2',
      'node-name': 'inc1',
      file: { driver: 'file', filename: '/srv/inc1.qcow2' },
    });
    const inc = (job: string, extra: JsonObject = {}) => ({
      'job-id': job,
      device: 'top',
      target: 'inc1',
      sync: 'incremental',
      bitmap: 'bm',
      ...extra,
    });
    expect(ledger.commandSucceeded('blockdev-backup', inc('i1'))).toBe(true);
    expect(ledger.data().backups[0]?.runningIncremental).toMatchObject({
      job: 'i1',
      mode: 'on-success',
      file: '/srv/inc1.qcow2',
      state: 'running',
    });
    ledger.event(completed('i1'));
    let [record] = ledger.data().backups;
    expect(record?.runningIncremental).toBeUndefined();
    expect(record?.lastIncremental).toMatchObject({ job: 'i1', state: 'completed' });

    ledger.commandSucceeded('blockdev-backup', inc('i2'));
    ledger.event(completed('i2', 'Input/output error'));
    ledger.commandSucceeded('blockdev-backup', {
      ...inc('i3'),
      sync: 'bitmap',
      'bitmap-mode': 'never',
    });
    ledger.event(completed('i3'));
    [record] = ledger.data().backups;
    expect(record?.lastIncremental?.job).toBe('i1');
    expect(record?.broken).toBeUndefined();
    expect(record?.full.state).toBe('completed');
  });

  it('breaks the chain when a bitmap is reset without a complete backup', () => {
    const ledger = make();
    ledger.commandSucceeded('transaction', fullBackup('top', 'bm', 'bk1', 'full'));
    ledger.event(completed('bk1'));
    ledger.commandSucceeded('blockdev-backup', {
      'job-id': 'i1',
      device: 'top',
      target: 'full',
      sync: 'bitmap',
      bitmap: 'bm',
      'bitmap-mode': 'always',
    });
    ledger.event(cancelled('i1'));
    expect(ledger.data().backups[0]).toMatchObject({
      lastIncremental: { job: 'i1', state: 'cancelled' },
      broken: { cause: 'incomplete-backup', job: 'i1' },
    });

    const cleared = make();
    cleared.commandSucceeded('transaction', fullBackup('top', 'bm', 'bk1', 'full'));
    expect(cleared.commandSucceeded('block-dirty-bitmap-clear', { node: 'top', name: 'bm' })).toBe(
      true,
    );
    expect(cleared.data().backups[0]?.broken?.cause).toBe('cleared');
    // Clearing together with a new full backup is how a chain starts over.
    cleared.commandSucceeded('transaction', {
      actions: [
        { type: 'block-dirty-bitmap-clear', data: { node: 'top', name: 'bm' } },
        {
          type: 'blockdev-backup',
          data: { 'job-id': 'bk2', device: 'top', target: 'full', sync: 'full' },
        },
      ],
    });
    expect(cleared.data().backups).toMatchObject([{ full: { job: 'bk2', state: 'running' } }]);
    expect(cleared.data().backups[0]?.broken).toBeUndefined();
  });

  it('starts a record when a full backup resets a bitmap it was given', () => {
    const ledger = make();
    const args = {
      'job-id': 'f',
      device: 'top',
      target: 'full',
      sync: 'full',
      bitmap: 'old',
      'bitmap-mode': 'on-success',
    };
    expect(ledger.commandSucceeded('blockdev-backup', args)).toBe(false);
    expect(ledger.event(completed('f'))).toBe(true);
    expect(ledger.data().backups).toMatchObject([
      { node: 'top', bitmap: 'old', full: { job: 'f', sync: 'full', state: 'completed' } },
    ]);
    // The same when the job's end was read before the command's reply.
    const early = make();
    early.event(created('f'));
    early.event(completed('f'));
    expect(early.commandSucceeded('blockdev-backup', args)).toBe(true);
    expect(early.data().backups).toMatchObject([{ full: { job: 'f', state: 'completed' } }]);
  });

  it('drops the record when the bitmap is removed or made anew, or its node is deleted', () => {
    const ledger = make();
    ledger.commandSucceeded('transaction', fullBackup('top', 'a', 'j1', 'full'));
    ledger.commandSucceeded('transaction', fullBackup('top', 'b', 'j2', 'full'));
    ledger.commandSucceeded('transaction', fullBackup('data', 'c', 'j3', 'full'));
    expect(ledger.commandSucceeded('block-dirty-bitmap-remove', { node: 'top', name: 'a' })).toBe(
      true,
    );
    expect(ledger.commandSucceeded('block-dirty-bitmap-remove', { node: 'top', name: 'a' })).toBe(
      false,
    );
    expect(ledger.data().backups.map((r) => r.bitmap)).toEqual(['b', 'c']);
    expect(ledger.commandSucceeded('blockdev-del', { 'node-name': 'top' })).toBe(true);
    expect(ledger.data().backups.map((r) => r.bitmap)).toEqual(['c']);
    expect(ledger.commandSucceeded('block-dirty-bitmap-add', { node: 'data', name: 'c' })).toBe(
      true,
    );
    expect(ledger.data().backups).toEqual([]);
    // The job of a dropped record ends unnoticed.
    expect(ledger.event(completed('j3'))).toBe(false);
  });

  it('keeps at most maxRecords, dropping the oldest', () => {
    const ledger = make(3);
    for (const name of ['b1', 'b2', 'b3', 'b4']) {
      ledger.commandSucceeded('transaction', fullBackup('top', name, `j-${name}`, 'full'));
    }
    expect(ledger.size).toBe(3);
    expect(ledger.data().backups.map((r) => r.bitmap)).toEqual(['b2', 'b3', 'b4']);
  });

  it('forgets everything on a new connection', () => {
    const ledger = make();
    ledger.commandSucceeded('transaction', fullBackup('top', 'bm', 'bk1', 'full'));
    const generation = ledger.generation;
    expect(ledger.reset()).toBe(true);
    expect(ledger.generation).toBe(generation + 1);
    expect(ledger.data().backups).toEqual([]);
    expect(ledger.reset()).toBe(false);
    // The job of the old connection is not followed any more; the target's file is forgotten.
    expect(ledger.event(completed('bk1'))).toBe(false);
    ledger.commandSucceeded('transaction', fullBackup('top', 'bm', 'bk9', 'full'));
    expect(ledger.data().backups[0]?.full.file).toBeUndefined();
  });

  it('asks once for the file of a target it did not see added, and learns it from QEMU', () => {
    const ledger = make();
    ledger.commandSucceeded('transaction', fullBackup('top', 'bm', 'bk1', 'elsewhere'));
    expect(ledger.nodesToLookUp()).toEqual(['elsewhere']);
    expect(ledger.nodesToLookUp()).toEqual([]);
    const reply = [
      { 'node-name': 'top', drv: 'qcow2', file: '/srv/top.qcow2' },
      { 'node-name': 'elsewhere', drv: 'raw', file: '/srv/else.raw' },
    ];
    expect(ledger.learnNodes(reply)).toBe(true);
    expect(ledger.data().backups[0]?.full).toMatchObject({ file: '/srv/else.raw', format: 'raw' });
    expect(ledger.learnNodes(reply)).toBe(false);
  });

  it('keeps names from clients as they are', () => {
    const ledger = make();
    const name = '<img src=x onerror=alert(1)> "q" \\';
    ledger.commandSucceeded('transaction', fullBackup('top', name, name, 'full'));
    const text = JSON.stringify(ledger.data());
    expect(JSON.parse(text)).toMatchObject({ backups: [{ bitmap: name, full: { job: name } }] });
  });
});
