// Backup plans against a real qemu-system: a full backup that starts a dirty bitmap in the same
// transaction, guest writes, then an incremental backup of exactly those writes. Checked with
// qemu-img compare (point-in-time full, current incremental) and the bitmap's count.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { imagesIdentical } from '../harness/qemu.ts';
import { defaultBackupInput, planBackup } from '../../src/features/operations/plans/backup.ts';
import {
  planBitmapAdd,
  planBitmapMerge,
  planBitmapVerb,
  bitmapsOf,
} from '../../src/features/operations/plans/bitmaps.ts';
import { pressJobControl } from '../fixtures/operations/job-panel.ts';
import { lookedUp } from '../fixtures/operations/look-up.ts';
import {
  expectPlan,
  flushDevice,
  guestWrite,
  runOk,
  startOpsQemu,
  VDA,
  waitJob,
  type OpsQemu,
} from '../fixtures/operations/vm.ts';

let ops: OpsQemu | undefined;
afterEach(async () => {
  await ops?.stop();
  ops = undefined;
});

describe('backup plans', () => {
  it('runs a full backup with a new bitmap atomically, then an incremental one', async () => {
    ops = await startOpsQemu();
    const full = join(ops.dir, 'full.qcow2');
    let live = await ops.live();
    const input = defaultBackupInput(live, 'top');
    expect(input.newBitmap?.name).toBe('top-changes');
    const fullPlan = expectPlan(
      planBackup(live, {
        ...input,
        target: {
          kind: 'new-image',
          path: full,
          format: 'qcow2',
          nodeName: 'full',
          lookup: await lookedUp(ops.dir, full),
        },
      }),
    );
    const start = fullPlan.steps.at(-1);
    expect(start?.command).toBe('transaction');
    await runOk(ops.runner, { ok: true, plan: fullPlan });
    await waitJob(ops.runner, input.jobId, ['concluded']);
    await pressJobControl(ops.runner, input.jobId, 'dismiss');

    // Guest writes after the backup: the full copy must not see them, the bitmap must.
    await guestWrite(ops.qemu, VDA, 0x77, '1M', '64k');
    await guestWrite(ops.qemu, VDA, 0x78, '8M', '128k');
    live = await ops.live();
    expect(bitmapsOf(live, 'top')).toMatchObject([
      { name: 'top-changes', recording: true, count: 196608 },
    ]);

    const inc = join(ops.dir, 'inc.qcow2');
    await runOk(
      ops.runner,
      planBackup(live, {
        source: 'top',
        jobId: 'inc1',
        sync: 'incremental',
        bitmap: 'top-changes',
        target: {
          kind: 'new-image',
          path: inc,
          format: 'qcow2',
          nodeName: 'inc',
          lookup: await lookedUp(ops.dir, inc),
          backing: { file: full, format: 'qcow2' },
        },
      }),
    );
    await waitJob(ops.runner, 'inc1', ['concluded']);
    expect(bitmapsOf(await ops.live(), 'top')[0]?.count).toBe(0);

    for (const node of ['inc', 'inc-file', 'full', 'full-file']) {
      await ops.qemu.direct.execute('blockdev-del', { 'node-name': node });
    }
    await flushDevice(ops.qemu, VDA);
    expect(await imagesIdentical(join(ops.dir, 'reference.raw'), full)).toBe(true);
    expect(await imagesIdentical(join(ops.dir, 'top.qcow2'), full)).toBe(false);
    expect(await imagesIdentical(join(ops.dir, 'top.qcow2'), inc)).toBe(true);
  });

  it('backs up only the top layer into an image with the same backing file', async () => {
    ops = await startOpsQemu();
    const path = join(ops.dir, 'top-layer.qcow2');
    await runOk(
      ops.runner,
      planBackup(await ops.live(), {
        source: 'top',
        jobId: 'bk-top',
        sync: 'top',
        target: {
          kind: 'new-image',
          path,
          format: 'qcow2',
          nodeName: 'tl',
          lookup: await lookedUp(ops.dir, path),
          backing: { file: join(ops.dir, 'mid.qcow2'), format: 'qcow2' },
        },
      }),
    );
    await waitJob(ops.runner, 'bk-top', ['concluded']);
    await ops.qemu.direct.execute('job-dismiss', { id: 'bk-top' });
    await ops.qemu.direct.execute('blockdev-del', { 'node-name': 'tl' });
    // The target holds only the top layer; through the same backing file it reads as the chain.
    expect(await imagesIdentical(join(ops.dir, 'reference.raw'), path)).toBe(true);
  });

  it('adds, disables, merges, enables and removes bitmaps', async () => {
    ops = await startOpsQemu();
    await runOk(
      ops.runner,
      planBitmapAdd(await ops.live(), 'top', { name: 'a', granularity: 65536 }),
    );
    await runOk(ops.runner, planBitmapAdd(await ops.live(), 'top', { name: 'b', disabled: true }));
    await guestWrite(ops.qemu, VDA, 0x55, '0', '64k');
    await runOk(ops.runner, planBitmapVerb(await ops.live(), 'top', 'a', 'disable'));
    await runOk(ops.runner, planBitmapMerge(await ops.live(), 'top', 'b', ['a']));
    let bitmaps = bitmapsOf(await ops.live(), 'top');
    expect(bitmaps.find((b) => b.name === 'b')).toMatchObject({ recording: false, count: 65536 });
    expect(bitmaps.find((b) => b.name === 'a')?.recording).toBe(false);
    await runOk(ops.runner, planBitmapVerb(await ops.live(), 'top', 'a', 'enable'));
    await runOk(ops.runner, planBitmapVerb(await ops.live(), 'top', 'b', 'clear'));
    await runOk(ops.runner, planBitmapVerb(await ops.live(), 'top', 'a', 'remove'));
    bitmaps = bitmapsOf(await ops.live(), 'top');
    expect(bitmaps.map((b) => [b.name, b.count])).toEqual([['b', 0]]);
    // Duplicate names and persistent bitmaps on raw nodes are refused before QEMU sees them.
    expect(planBitmapAdd(await ops.live(), 'top', { name: 'b' }).ok).toBe(false);
    expect(planBitmapAdd(await ops.live(), 'data', { name: 'p', persistent: true }).ok).toBe(false);
  });
});
