// The same plans against qemu-storage-daemon, which has no devices: mirror, backup, commit,
// export and throttle groups work; device throttling is refused with a clear message.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { imageChain, imagesIdentical } from '../harness/qemu.ts';
import { planBackup } from '../../src/features/operations/plans/backup.ts';
import { defaultCommitInput, planCommit } from '../../src/features/operations/plans/commit.ts';
import { defaultExportInput, planExport } from '../../src/features/operations/plans/export.ts';
import { finishJob } from '../fixtures/operations/job-panel.ts';
import { lookedUp } from '../fixtures/operations/look-up.ts';
import { planMirror } from '../../src/features/operations/plans/mirror.ts';
import {
  planSnapshot,
  defaultSnapshotInput,
} from '../../src/features/operations/plans/snapshot.ts';
import {
  planDeviceThrottle,
  deviceThrottleSupported,
} from '../../src/features/operations/plans/throttle-device.ts';
import {
  planGroupAttach,
  planGroupCreate,
} from '../../src/features/operations/plans/throttle-group.ts';
import { backingChain } from '../../src/features/operations/plans/graph-queries.ts';
import {
  expectPlan,
  run,
  runOk,
  startOpsQemu,
  waitJob,
  type OpsQemu,
} from '../fixtures/operations/vm.ts';

let ops: OpsQemu | undefined;
afterEach(async () => {
  await ops?.stop();
  ops = undefined;
});

describe('operations on qemu-storage-daemon', () => {
  it('mirrors and backs up, then compares outside', async () => {
    ops = await startOpsQemu('storage-daemon');
    const mirror = join(ops.dir, 'm.qcow2');
    await runOk(
      ops.runner,
      planMirror(await ops.live(), {
        source: 'top',
        jobId: 'm',
        sync: 'full',
        target: {
          kind: 'new-image',
          path: mirror,
          format: 'qcow2',
          nodeName: 'm',
          lookup: await lookedUp(ops.dir, mirror),
        },
      }),
    );
    await waitJob(ops.runner, 'm', ['ready']);
    await finishJob(ops.runner, 'm', 'complete');
    const backup = join(ops.dir, 'b.raw');
    await runOk(
      ops.runner,
      planBackup(await ops.live(), {
        source: 'data',
        jobId: 'b',
        sync: 'full',
        target: {
          kind: 'new-image',
          path: backup,
          format: 'raw',
          nodeName: 'b',
          lookup: await lookedUp(ops.dir, backup),
        },
      }),
    );
    await waitJob(ops.runner, 'b', ['concluded']);
    for (const node of ['m', 'b'])
      await ops.qemu.direct.execute('blockdev-del', { 'node-name': node });
    expect(await imagesIdentical(join(ops.dir, 'reference.raw'), mirror)).toBe(true);
    expect(await imagesIdentical(join(ops.dir, 'data.raw'), backup)).toBe(true);
  });

  it('takes a snapshot of an exported node, then commits it back (active commit)', async () => {
    ops = await startOpsQemu('storage-daemon');
    let live = await ops.live();
    // An unused node cannot hold an overlay: QEMU would free it at once.
    const unused = planSnapshot(live, defaultSnapshotInput(live, 'top'));
    expect(!unused.ok && unused.problems[0]?.message).toMatch(/Nothing uses 'top'/);
    const address = { type: 'unix' as const, path: join(ops.dir, 'nbd.sock') };
    const stopped = await ops.live({ state: 'stopped' });
    await runOk(
      ops.runner,
      planExport(stopped, {
        ...defaultExportInput(stopped, 'top'),
        address,
        socketLookup: await lookedUp(ops.dir, address.path),
      }),
    );
    live = await ops.live({ state: 'running', address });
    const snap = defaultSnapshotInput(live, 'top');
    expect(snap.snapshotNodeName).toBe('top-snap');
    await runOk(
      ops.runner,
      planSnapshot(live, { ...snap, lookup: await lookedUp(ops.dir, snap.path) }),
    );
    live = await ops.live();
    expect(backingChain(live, 'top-snap')).toEqual(['top-snap', 'top', 'mid', 'base']);
    expect((await imageChain(snap.path)).length).toBe(4);
    // The export moved to the overlay with the snapshot.
    expect(live.exports.map((e) => e['node-name'])).toEqual(['top-snap']);

    const commit = defaultCommitInput(live, 'top-snap');
    await runOk(ops.runner, planCommit(live, { ...commit, base: 'mid' }));
    await waitJob(ops.runner, commit.jobId, ['ready']);
    await finishJob(ops.runner, commit.jobId, 'complete');
    live = await ops.live();
    expect(live.nodes.map((n) => n['node-name'])).not.toContain('top-snap');
    await ops.qemu.direct.execute('blockdev-del', { 'node-name': 'mid' }).catch(() => undefined);
    expect(
      (await imageChain(join(ops.dir, 'mid.qcow2'))).map((i) => i.filename.split('/').at(-1)),
    ).toEqual(['mid.qcow2', 'base.qcow2']);
  });

  it('throttles a node through a group and exports the filter over a unix socket', async () => {
    ops = await startOpsQemu('storage-daemon');
    const live = await ops.live();
    expect(deviceThrottleSupported(live)).toBe(false);
    const device = planDeviceThrottle(live, { qdev: 'x', limits: {} });
    expect(!device.ok && device.problems[0]?.message).toMatch(/qemu-storage-daemon has no devices/);

    await runOk(ops.runner, planGroupCreate(live, 'tg', { 'bps-total': 64 * 1024 * 1024 }));
    const attach = expectPlan(
      planGroupAttach(await ops.live(), { group: 'tg', node: 'data', filterNodeName: 'data-thr' }),
    );
    expect(attach.warnings?.[0]).toMatch(/Nothing uses 'data' yet/);
    await runOk(ops.runner, { ok: true, plan: attach });

    const address = { type: 'unix' as const, path: join(ops.dir, 'nbd.sock') };
    const exported = await ops.live({ state: 'stopped' });
    const plan = expectPlan(
      planExport(exported, {
        ...defaultExportInput(exported, 'data-thr'),
        address,
        socketLookup: await lookedUp(ops.dir, address.path),
      }),
    );
    await runOk(ops.runner, { ok: true, plan });
    const copy = join(ops.dir, 'copy.raw');
    await run('/usr/bin/nbdcopy', [plan.result?.uri ?? '', copy]);
    expect(await imagesIdentical(join(ops.dir, 'data.raw'), copy)).toBe(true);
    const nodes = await ops.qemu.direct.execute<
      { 'node-name': string; drv: string; file: string }[]
    >('query-named-block-nodes', { flat: true });
    expect(nodes.find((n) => n['node-name'] === 'data-thr')?.file).toMatch(
      /"throttle-group": "tg"/,
    );
  });
});
