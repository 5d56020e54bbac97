import { describe, expect, it } from 'vitest';
import { buildBlockGraphModel } from './model/build-model.ts';
import { liveInputs } from './model/fixtures.ts';
import { operationAvailability } from './operation-entry.ts';

const at = (fixture: string, id: string) => {
  const model = buildBlockGraphModel(liveInputs(fixture));
  const node = model.byId.get(id);
  if (!node) throw new Error(`no ${id}`);
  return operationAvailability(node, model);
};

describe('operationAvailability', () => {
  it('offers mirror, backup, commit and snapshot on a root format node with a chain', () => {
    const ops = at('demo', 'drv:os-top');
    expect(ops.mirror).toEqual({ enabled: true });
    expect(ops.commit).toEqual({ enabled: true });
    expect(ops.snapshot).toEqual({ enabled: true });
    expect(ops.export).toEqual({ enabled: true });
    // A block node can join a throttle group (the only throttling qemu-storage-daemon has).
    expect(ops.throttle).toEqual({ enabled: true });
  });

  it('refuses jobs below the root and names the node to start from', () => {
    const ops = at('demo', 'drv:logs');
    expect(ops.mirror).toEqual({
      enabled: false,
      reason: 'Need a root block node: start from logs-throttle',
    });
  });

  it('refuses commit without a backing image', () => {
    expect(at('demo', 'drv:data').commit).toEqual({
      enabled: false,
      reason: 'No backing image to commit into',
    });
  });

  it('offers throttle and mirror on a device (through its root node)', () => {
    const ops = at('demo', 'blk:/machine/peripheral/vda/virtio-backend');
    expect(ops.throttle.enabled).toBe(true);
    expect(ops.mirror.enabled).toBe(true);
    expect(ops.export.enabled).toBe(false);
  });

  it('refuses a second job on a node a mirror already holds', () => {
    const mirror = buildBlockGraphModel(liveInputs('mirror'));
    const filter = mirror.nodes.find((n) => n.driver === 'mirror_top')!;
    expect(operationAvailability(filter, mirror).mirror).toEqual({
      enabled: false,
      reason: 'In use by job mirror0',
    });
    const job = mirror.byId.get('job:mirror0')!;
    expect(operationAvailability(job, mirror).export.enabled).toBe(false);
    expect(operationAvailability(job, mirror).throttle).toEqual({
      enabled: false,
      reason: 'Throttle a device or a block node, not a job or export',
    });
  });
});
