// Throttle plans against a real qemu-system: per-device limits with block_set_io_throttle (the
// .../virtio-backend id), read back from query-block; a throttle group with a filter inserted
// above a device (qom-set drive) and one between two layers (blockdev-reopen), live edits,
// detach and delete. Checked with query-block, query-named-block-nodes and qom-get.
import { afterEach, describe, expect, it } from 'vitest';
import {
  deviceForNode,
  currentDeviceLimits,
  planDeviceThrottle,
} from '../../src/features/operations/plans/throttle-device.ts';
import {
  defaultAttachInput,
  groupMembers,
  planGroupAttach,
  planGroupCreate,
  planGroupDelete,
  planGroupDetach,
  planGroupEdit,
} from '../../src/features/operations/plans/throttle-group.ts';
import { parseCount, parseRate } from '../../src/schema/units.ts';
import { childrenOf } from '../../src/features/operations/plans/graph-queries.ts';
import { runOk, startOpsQemu, VDA, type OpsQemu } from '../fixtures/operations/vm.ts';

let ops: OpsQemu | undefined;
afterEach(async () => {
  await ops?.stop();
  ops = undefined;
});

const value = (r: ReturnType<typeof parseRate>) => (r.ok ? r.value : Number.NaN);

describe('throttle plans', () => {
  it('sets every device limit, bursts included, and reads them back', async () => {
    ops = await startOpsQemu();
    let live = await ops.live();
    const device = deviceForNode(live, 'top');
    expect(device?.qdev).toBe(VDA);
    const limits = {
      'bps-read': value(parseRate('20M/s')),
      'bps-write': value(parseRate('10 MiB/s')),
      'bps-write-max': value(parseRate('40M/s')),
      'bps-write-max-length': 5,
      'iops-total': value(parseCount('400 IOPS')),
      'iops-total-max': value(parseCount('1000')),
      'iops-size': 4096,
    };
    await runOk(ops.runner, planDeviceThrottle(live, { qdev: VDA, limits }));
    const blocks =
      await ops.qemu.direct.execute<{ qdev: string; inserted: Record<string, unknown> }[]>(
        'query-block',
      );
    expect(blocks.find((b) => b.qdev === VDA)?.inserted).toMatchObject({
      bps: 0,
      bps_rd: 20 * 1024 * 1024,
      bps_wr: 10 * 1024 * 1024,
      bps_wr_max: 40 * 1024 * 1024,
      bps_wr_max_length: 5,
      iops: 400,
      iops_max: 1000,
      iops_size: 4096,
    });
    live = await ops.live();
    expect(currentDeviceLimits(deviceForNode(live, 'top')!)).toEqual(limits);

    // All zero removes the limits again.
    await runOk(ops.runner, planDeviceThrottle(live, { qdev: VDA, limits: {} }));
    const after =
      await ops.qemu.direct.execute<{ qdev: string; inserted: Record<string, unknown> }[]>(
        'query-block',
      );
    expect(after.find((b) => b.qdev === VDA)?.inserted).toMatchObject({ bps_rd: 0, iops: 0 });
  });

  it('refuses inconsistent limits before sending them', async () => {
    ops = await startOpsQemu();
    const live = await ops.live();
    const both = planDeviceThrottle(live, {
      qdev: VDA,
      limits: { 'iops-total': 10, 'iops-read': 5 },
    });
    expect(!both.ok && both.problems[0]?.message).toMatch(/cannot be combined/);
    const burst = planDeviceThrottle(live, {
      qdev: VDA,
      limits: { 'bps-total': 100, 'bps-total-max': 50 },
    });
    expect(!burst.ok && burst.problems[0]?.message).toMatch(/cannot be lower/);
  });

  it('creates a group, attaches two disks, edits live, detaches and deletes it', async () => {
    ops = await startOpsQemu();
    const limits = { 'bps-total': value(parseRate('8M/s')), 'iops-total': 200 };
    await runOk(ops.runner, planGroupCreate(await ops.live(), 'tg1', limits));

    // Above the device of vda (qom-set drive) and between data and its file (blockdev-reopen).
    let live = await ops.live();
    const above = defaultAttachInput(live, 'top', 'tg1');
    expect(above.filterNodeName).toBe('top-throttle');
    await runOk(ops.runner, planGroupAttach(live, above));
    live = await ops.live();
    await runOk(ops.runner, planGroupAttach(live, defaultAttachInput(live, 'data-file', 'tg1')));

    live = await ops.live();
    expect(groupMembers(live, 'tg1').sort()).toEqual(['data-file-throttle', 'top-throttle']);
    expect(childrenOf(live, 'data').get('file')).toBe('data-file-throttle');
    const blocks =
      await ops.qemu.direct.execute<
        { qdev: string; inserted: { 'node-name': string; drv: string } }[]
      >('query-block');
    expect(blocks.find((b) => b.qdev === VDA)?.inserted).toMatchObject({
      'node-name': 'top-throttle',
      drv: 'throttle',
    });

    // Live edit: every key is stated, so the cleared bps limit really goes to 0.
    await runOk(ops.runner, planGroupEdit(live, 'tg1', { 'iops-total': 500 }));
    const edited = await ops.qemu.direct.execute<Record<string, number>>('qom-get', {
      path: '/objects/tg1',
      property: 'limits',
    });
    expect(edited).toMatchObject({ 'iops-total': 500, 'bps-total': 0 });

    expect(planGroupDelete(live, 'tg1').ok).toBe(false); // still in use
    await runOk(ops.runner, planGroupDetach(live, 'top-throttle'));
    await runOk(ops.runner, planGroupDetach(await ops.live(), 'data-file-throttle'));
    live = await ops.live();
    expect(childrenOf(live, 'data').get('file')).toBe('data-file');
    await runOk(ops.runner, planGroupDelete(live, 'tg1'));
    const objects = await ops.qemu.direct.execute<{ name: string }[]>('qom-list', {
      path: '/objects',
    });
    expect(objects.map((o) => o.name)).not.toContain('tg1');
    const after =
      await ops.qemu.direct.execute<{ qdev: string; inserted: { 'node-name': string } }[]>(
        'query-block',
      );
    expect(after.find((b) => b.qdev === VDA)?.inserted['node-name']).toBe('top');
  });
});
