// The block graph model on graphs read live from a real QEMU while jobs, exports and throttling
// change it (the same scenarios the unit-test fixtures were captured from, run afresh here).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemoImages, demoNodeNames, demoQemuArgs } from '../../proxy/demo-vm.ts';
import { buildBlockGraphModel } from '../../src/features/block-graph/model/build-model.ts';
import type { BlockGraphModel } from '../../src/features/block-graph/model/types.ts';
import { operationAvailability } from '../../src/features/block-graph/operation-entry.ts';
import * as live from '../fixtures/graph/live-capture.ts';
import { startTestQemu, type TestQemu } from '../harness/qemu.ts';

let qemu: TestQemu;
let idle: BlockGraphModel;
beforeAll(async () => {
  qemu = await startTestQemu({ prepare: buildDemoImages, args: demoQemuArgs });
  idle = buildBlockGraphModel(await live.captureInputs(qemu));
});
afterAll(async () => {
  await qemu?.stop();
});

const conflicts = (model: BlockGraphModel) => model.edges.filter((e) => e.conflicts.length > 0);

describe('block graph model on a live QEMU', () => {
  it('names every demo node by node-name and every device by its qdev path', () => {
    const names = idle.nodes.filter((n) => n.kind !== 'device').map((n) => n.name);
    expect(new Set(names)).toEqual(new Set(demoNodeNames));
    expect(
      idle.nodes
        .filter((n) => n.kind === 'device')
        .map((n) => n.label)
        .sort(),
    ).toEqual(['vda', 'vdb', 'vdc']);
  });

  it('gives the same topology key to a second read, although QEMU renumbers its ids', async () => {
    const again = buildBlockGraphModel(await live.captureInputs(qemu));
    expect(again.topologyKey).toBe(idle.topologyKey);
  });

  it('mirror: adds the mirror_top filter, job and target backend; they go after cancel', async () => {
    const model = buildBlockGraphModel(await live.duringMirror(qemu));
    const filter = model.nodes.find((n) => n.driver === 'mirror_top');
    expect(filter?.name).toMatch(/^#block\d+$/);
    const deviceRoot = model.edges.find(
      (e) => e.source === 'blk:/machine/peripheral/vda/virtio-backend' && e.role === 'root',
    );
    expect(deviceRoot?.target).toBe(filter?.id);
    expect(model.byId.get('job:mirror0')?.job?.type).toBe('mirror');
    expect(model.byId.get('anon:job:mirror0:mirror-dst')?.kind).toBe('backend');
    expect(conflicts(model)).toEqual([]);
    expect(operationAvailability(model.byId.get('drv:os-top')!, model).mirror.enabled).toBe(false);
    const after = buildBlockGraphModel(await live.captureInputs(qemu));
    expect(after.topologyKey).toBe(idle.topologyKey);
  });

  it('backup: copy-before-write filter with its target edge and the job bitmap', async () => {
    const model = buildBlockGraphModel(await live.duringBackup(qemu));
    const cbw = model.nodes.find((n) => n.driver === 'copy-before-write');
    expect(cbw?.jobs).toEqual(['backup0']);
    expect(model.edges.find((e) => e.source === cbw?.id && e.role === 'target')?.target).toBe(
      'drv:backup-dst',
    );
    expect(model.byId.get('drv:data')?.dirtyBitmaps.some((b) => b.name === 'bm0')).toBe(true);
    expect(conflicts(model)).toEqual([]);
  });

  it('active commit: the named filter above os-top, the base held by the job', async () => {
    const model = buildBlockGraphModel(await live.duringCommit(qemu));
    expect(model.byId.get('drv:commit-filter')?.kind).toBe('filter');
    expect(model.byId.get('drv:os-mid')?.jobs).toContain('commit0');
    expect(conflicts(model)).toEqual([]);
  });

  it('exports: three export nodes with stable ids, two of them over one node', async () => {
    const model = buildBlockGraphModel(await live.withExports(qemu));
    expect(model.byId.get('export:exp-a')?.export?.['node-name']).toBe('os-base');
    expect(model.byId.get('export:exp-b')?.export?.['node-name']).toBe('os-base');
    expect(model.byId.get('drv:logs-throttle')?.exports).toEqual(['exp-logs']);
    const after = buildBlockGraphModel(await live.captureInputs(qemu));
    expect(after.nodes.filter((n) => n.kind === 'export')).toEqual([]);
  });

  it('throttling: the filter group with its live limits, and legacy device limits', async () => {
    expect(idle.byId.get('drv:logs-throttle')?.throttle?.limits['iops-total']).toBe(400);
    const model = buildBlockGraphModel(await live.withLegacyThrottle(qemu));
    expect(model.byId.get('blk:/machine/peripheral/vdb/virtio-backend')?.throttle).toMatchObject({
      how: 'legacy',
      group: 'legacy',
    });
  });
});
