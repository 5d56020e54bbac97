import { describe, expect, it } from 'vitest';
import { generateGraphInputs } from '../../../../test/fixtures/graph/generate-graph.ts';
import { buildBlockGraphModel } from './build-model.ts';
import { graphOnly, liveInputs, referenceMirror } from './fixtures.ts';
import type { BlockGraphModel, GraphNode } from './types.ts';

const node = (model: BlockGraphModel, id: string): GraphNode => {
  const found = model.byId.get(id);
  if (!found) throw new Error(`no node ${id} in ${[...model.byId.keys()].join(', ')}`);
  return found;
};

describe('the demo at rest (real QEMU 7.2)', () => {
  const model = buildBlockGraphModel(liveInputs('demo'));

  it('keys every node by what survives a refresh, not by QEMU ids', () => {
    expect(model.nodes.map((n) => n.id).sort()).toEqual(
      [
        'blk:/machine/peripheral/vda/virtio-backend',
        'blk:/machine/peripheral/vdb/virtio-backend',
        'blk:/machine/peripheral/vdc/virtio-backend',
        ...['os-base', 'os-mid', 'os-top', 'data', 'logs', 'logs-throttle'].flatMap((n) =>
          n === 'logs-throttle' ? [`drv:${n}`] : [`drv:${n}`, `drv:${n}-file`],
        ),
      ].sort(),
    );
  });

  it('classifies devices, formats, protocols and the throttle filter', () => {
    expect(node(model, 'blk:/machine/peripheral/vda/virtio-backend')).toMatchObject({
      kind: 'device',
      label: 'vda',
    });
    expect(node(model, 'drv:os-top')).toMatchObject({ kind: 'format', driver: 'qcow2' });
    expect(node(model, 'drv:data')).toMatchObject({ kind: 'format', driver: 'raw' });
    expect(node(model, 'drv:os-top-file')).toMatchObject({ kind: 'protocol', driver: 'file' });
    expect(node(model, 'drv:logs-throttle').kind).toBe('filter');
  });

  it('carries size, cache mode, read-only and the backing chain depth', () => {
    const top = node(model, 'drv:os-top');
    expect(top.virtualSize).toBe(256 * 1024 * 1024);
    expect(top.actualSize).toBeGreaterThan(0);
    expect(top.cacheMode).toBe('writeback');
    expect(top.readOnly).toBe(false);
    expect(top.backingDepth).toBe(2);
    expect(top.backingFile).toBe('/images/os-mid.qcow2');
    expect(node(model, 'drv:os-mid').backingDepth).toBe(1);
    expect(node(model, 'drv:os-base').backingDepth).toBe(0);
    expect(node(model, 'drv:os-top-file').fileName).toBe('/images/os-top.qcow2');
  });

  it('knows which device reaches each node', () => {
    expect(node(model, 'drv:os-base-file').devices).toEqual([
      'blk:/machine/peripheral/vda/virtio-backend',
    ]);
    expect(node(model, 'drv:logs').devices).toEqual(['blk:/machine/peripheral/vdc/virtio-backend']);
  });

  it('reads the throttle group of the filter and marks the node below as throttled', () => {
    expect(node(model, 'drv:logs-throttle').throttle).toMatchObject({
      how: 'filter',
      group: 'tg0',
      limits: { 'iops-total': 400, 'bps-total': 20 * 1024 * 1024 },
    });
    expect(node(model, 'drv:logs').throttle).toMatchObject({ how: 'filtered', group: 'tg0' });
    expect(node(model, 'drv:data').throttle).toBeUndefined();
  });

  it('finds no permission conflicts in a graph QEMU accepted', () => {
    expect(model.edges.filter((e) => e.conflicts.length > 0)).toEqual([]);
    expect(model.edges).toHaveLength(11);
  });
});

describe('during a mirror', () => {
  const model = buildBlockGraphModel(liveInputs('mirror'));

  it('draws the mirror_top filter that query-block hides, the job and its target backend', () => {
    const filter = model.nodes.find((n) => n.driver === 'mirror_top');
    expect(filter).toMatchObject({ kind: 'filter', jobs: ['mirror0'] });
    const job = node(model, 'job:mirror0');
    expect(job).toMatchObject({ kind: 'job', label: 'mirror job mirror0' });
    expect(job.job?.status).toBe('running');
    expect(node(model, 'anon:job:mirror0:mirror-dst')).toMatchObject({
      kind: 'backend',
      jobs: ['mirror0'],
    });
    const roles = model.edges.filter((e) => e.source === 'job:mirror0').map((e) => e.role);
    expect(roles.sort()).toEqual(['main node', 'source', 'target']);
    expect(node(model, 'drv:os-top').jobs).toEqual(['mirror0']);
  });

  it('keeps the backing depth through the filter', () => {
    const filter = model.nodes.find((n) => n.driver === 'mirror_top');
    expect(filter?.backingDepth).toBe(2);
  });

  it('keeps every identity of the idle graph', () => {
    const idle = buildBlockGraphModel(liveInputs('demo'));
    for (const n of idle.nodes) expect(model.byId.has(n.id)).toBe(true);
  });
});

describe('during a backup, an active commit, with exports and legacy throttling', () => {
  it('backup: copy-before-write filter with a target edge and a dirty bitmap', () => {
    const model = buildBlockGraphModel(liveInputs('backup'));
    const cbw = model.nodes.find((n) => n.driver === 'copy-before-write');
    expect(cbw?.kind).toBe('filter');
    expect(model.edges.some((e) => e.source === cbw?.id && e.role === 'target')).toBe(true);
    // The backup job adds an anonymous bitmap of its own beside the user's bm0.
    expect(node(model, 'drv:data').dirtyBitmaps.map((b) => b.name)).toEqual([undefined, 'bm0']);
    expect(node(model, 'job:backup0').job?.type).toBe('backup');
  });

  it('active commit: the named filter and the base taken by an anonymous backend', () => {
    const model = buildBlockGraphModel(liveInputs('commit'));
    // Active commit is a mirror in QEMU 7.2, so its filter's driver is mirror_top.
    expect(node(model, 'drv:commit-filter')).toMatchObject({
      kind: 'filter',
      driver: 'mirror_top',
    });
    expect(node(model, 'anon:job:commit0:os-mid').kind).toBe('backend');
    expect(model.edges.filter((e) => e.conflicts.length > 0)).toEqual([]);
  });

  it('exports: each export claims its own anonymous backend, two on one node stay distinct', () => {
    const model = buildBlockGraphModel(liveInputs('exports'));
    expect(
      model.nodes
        .filter((n) => n.kind === 'export')
        .map((n) => n.id)
        .sort(),
    ).toEqual(['export:exp-a', 'export:exp-b', 'export:exp-logs']);
    expect(node(model, 'drv:os-base').exports.sort()).toEqual(['exp-a', 'exp-b']);
    expect(node(model, 'export:exp-a').label).toBe('nbd exp-a');
  });

  it('legacy throttling shows on the device backend with its group', () => {
    const model = buildBlockGraphModel(liveInputs('legacy-throttle'));
    expect(node(model, 'blk:/machine/peripheral/vdb/virtio-backend').throttle).toEqual({
      how: 'legacy',
      group: 'legacy',
      limits: { iops_wr: 500 },
    });
  });
});

describe('reference captures with only the graph read', () => {
  it('models every capture without losing nodes or edges', () => {
    for (const name of [
      'active-commit-ready',
      'after-pivot',
      'during-backup',
      'during-mirror',
      'mirror-ready',
      'qsd-exports-throttle',
      'throttle-above-device-via-qom-set-drive',
      'throttle-inserted-via-reopen',
      'with-nbd-exports-vm',
    ]) {
      const inputs = graphOnly(name);
      const model = buildBlockGraphModel(inputs);
      expect(model.nodes).toHaveLength(inputs.graph.nodes.length);
      expect(model.edges).toHaveLength(inputs.graph.edges.length);
    }
  });

  it('gives anonymous backends over the same node distinct ids (QSD with three)', () => {
    const model = buildBlockGraphModel(graphOnly('qsd-exports-throttle'));
    expect(
      model.nodes
        .filter((n) => n.kind === 'backend')
        .map((n) => n.id)
        .sort(),
    ).toEqual(['anon:qa', 'anon:qa#1', 'anon:qa-thr']);
  });

  it('joins the reference mirror capture: bitmaps on disk0, the filter from the graph', () => {
    const model = buildBlockGraphModel(referenceMirror());
    expect(node(model, 'drv:disk0').dirtyBitmaps).toHaveLength(1);
    expect(node(model, 'drv:#block299')).toMatchObject({ kind: 'filter', driver: 'mirror_top' });
    expect(node(model, 'blk:/machine/peripheral/vblk0/virtio-backend').devices).toHaveLength(1);
  });

  it('keeps topology keys equal across refreshes that only renumber QEMU ids', () => {
    const a = buildBlockGraphModel(graphOnly('during-mirror'));
    const b = buildBlockGraphModel(graphOnly('mirror-ready'));
    expect(b.topologyKey).toBe(a.topologyKey);
    const after = buildBlockGraphModel(graphOnly('after-pivot'));
    expect(after.topologyKey).not.toBe(a.topologyKey);
  });
});

describe('permission conflicts', () => {
  it('flags a parent taking write that a sibling does not share', () => {
    const inputs = liveInputs('demo');
    const data = inputs.graph.nodes.find((n) => n.name === 'data')!;
    inputs.graph.nodes.push({ id: 999, type: 'block-backend', name: '' });
    inputs.graph.edges.push({
      parent: 999,
      child: data.id,
      name: 'root',
      perm: ['write', 'consistent-read'],
      'shared-perm': ['write', 'write-unchanged', 'consistent-read'],
    });
    const model = buildBlockGraphModel(inputs);
    const anon = model.edges.find((e) => e.source === 'anon:data');
    expect(anon?.conflicts).toEqual(['write']);
    const device = model.edges.find((e) => e.source.startsWith('blk:') && e.target === 'drv:data');
    expect(device?.conflicts).toEqual([]);
  });
});

describe('a generated 1,000-node graph', () => {
  const inputs = generateGraphInputs({ nodeCount: 1000 });
  const model = buildBlockGraphModel(inputs);

  it('has exactly 1,000 nodes with long chains across 20 devices', () => {
    expect(model.nodes).toHaveLength(1000);
    expect(model.nodes.filter((n) => n.kind === 'device')).toHaveLength(20);
    const top = model.byId.get('drv:dev0-layer23');
    expect(top?.backingDepth).toBe(23);
    expect(model.byId.get('drv:dev0-layer0-file')?.devices).toEqual([
      'blk:/machine/peripheral/vd0/virtio-backend',
    ]);
  });
});
