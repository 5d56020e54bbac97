import { describe, expect, it } from 'vitest';
import { generateGraphInputs } from '../../../../test/fixtures/graph/generate-graph.ts';
import { buildBlockGraphModel } from '../model/build-model.ts';
import { graphOnly, liveInputs } from '../model/fixtures.ts';
import type { BlockGraphModel } from '../model/types.ts';
import { layoutGraph, type LayoutInput, type Positions } from './layered-layout.ts';
import { inlineLayoutEngine, layoutModel, toLayoutInput } from './layout-input.ts';
import { mergePositions } from './merge-positions.ts';
import { nodeSize } from './node-size.ts';

function overlapping(
  positions: Positions,
  sizeOf: (id: string) => { width: number; height: number },
) {
  const boxes = Object.entries(positions).map(([id, p]) => ({ id, ...p, ...sizeOf(id) }));
  // Sweep by x so the 5,000-node check stays fast; every overlapping pair is still found.
  boxes.sort((a, b) => a.x - b.x);
  const pairs: string[] = [];
  for (let i = 0; i < boxes.length; i++) {
    const a = boxes[i]!;
    for (let j = i + 1; j < boxes.length && boxes[j]!.x < a.x + a.width; j++) {
      const b = boxes[j]!;
      if (a.y < b.y + b.height && b.y < a.y + a.height) pairs.push(`${a.id} × ${b.id}`);
    }
  }
  return pairs;
}

const kindSize = (model: BlockGraphModel) => (id: string) => nodeSize(model.byId.get(id)!.kind);
const DEVICE = (d: string) => `blk:/machine/peripheral/${d}/virtio-backend`;

/** A chain n0 → n1 → … of `length` nodes, ids zero-padded so id order is chain order. */
function chain(length: number): LayoutInput {
  const nodes = Array.from({ length }, (_, i) => ({
    id: `n${String(i).padStart(4, '0')}`,
    width: 232,
    height: 76,
  }));
  const edges = nodes.slice(1).map((n, i) => ({ source: nodes[i]!.id, target: n.id }));
  return { nodes, edges };
}

describe('layered layout of the model', () => {
  it('places devices above their chain and protocol nodes below, with no overlaps', async () => {
    const model = buildBlockGraphModel(liveInputs('demo'));
    const positions = await layoutModel(inlineLayoutEngine, model);
    expect(Object.keys(positions).sort()).toEqual(model.nodes.map((n) => n.id).sort());
    const y = (id: string) => positions[id]!.y;
    expect(y(DEVICE('vda'))).toBeLessThan(y('drv:os-top'));
    expect(y('drv:os-top')).toBeLessThan(y('drv:os-mid'));
    expect(y('drv:os-mid')).toBeLessThan(y('drv:os-base'));
    expect(y('drv:os-base')).toBeLessThan(y('drv:os-base-file'));
    expect(overlapping(positions, kindSize(model))).toEqual([]);
  });

  it('keeps a backing chain one straight column, each file beside the image below its own', () => {
    const model = buildBlockGraphModel(liveInputs('demo'));
    const { positions } = layoutGraph(toLayoutInput(model));
    const column = ['drv:os-top', 'drv:os-mid', 'drv:os-base'].map((id) => positions[id]!);
    expect(new Set(column.map((p) => p.x)).size).toBe(1);
    expect(positions[DEVICE('vda')]!.x).toBe(column[0]!.x);
    expect(positions['drv:os-top-file']!.y).toBe(positions['drv:os-mid']!.y);
    expect(positions['drv:os-top-file']!.x).not.toBe(column[0]!.x);
  });

  it('puts independent devices side by side in one row, in name order', () => {
    const model = buildBlockGraphModel(liveInputs('demo'));
    const { positions, width, height } = layoutGraph(toLayoutInput(model));
    const devices = ['vda', 'vdb', 'vdc'].map((d) => positions[DEVICE(d)]!);
    expect(new Set(devices.map((p) => p.y)).size).toBe(1);
    expect(devices[0]!.x).toBeLessThan(devices[1]!.x);
    expect(devices[1]!.x).toBeLessThan(devices[2]!.x);
    // Each device's nodes lie in their own band of x, apart from the other devices' bands.
    const band = (d: string) => {
      const xs = model.nodes
        .filter((n) => n.devices.includes(DEVICE(d)))
        .map((n) => positions[n.id]!.x);
      return { from: Math.min(...xs), to: Math.max(...xs) + nodeSize('format').width };
    };
    expect(band('vda').to).toBeLessThan(band('vdb').from);
    expect(band('vdb').to).toBeLessThan(band('vdc').from);
    // The demo fits a 1600×1000 window at full size: wider than tall, not a stack.
    expect(width).toBeLessThanOrEqual(1600);
    expect(height).toBeLessThanOrEqual(1000);
    expect(width).toBeGreaterThan(height);
  });

  it('wraps many devices into rows so the picture keeps a window-like shape', () => {
    const model = buildBlockGraphModel(generateGraphInputs({ nodeCount: 40, perDevice: 5 }));
    const { positions, width, height } = layoutGraph(toLayoutInput(model));
    const deviceRows = new Set(
      model.nodes.filter((n) => n.kind === 'device').map((n) => positions[n.id]!.y),
    );
    expect(deviceRows.size).toBeGreaterThan(1);
    expect(width / height).toBeGreaterThan(1);
    expect(width / height).toBeLessThan(3);
    // 40 nodes at fit in 1600×1000 (10% margin each side): cards at ≥ 0.6 of their size.
    expect(Math.min(1600 / (1.2 * width), 1000 / (1.2 * height))).toBeGreaterThanOrEqual(0.6);
  });

  it('is deterministic: the same graph in any order gives the same picture', () => {
    const model = buildBlockGraphModel(liveInputs('mirror'));
    const input = toLayoutInput(model);
    const shuffled: LayoutInput = {
      nodes: [...input.nodes].reverse(),
      edges: [...input.edges.slice(3), ...input.edges.slice(0, 3)].reverse(),
    };
    expect(layoutGraph(shuffled)).toEqual(layoutGraph(input));
  });

  const box = { width: 100, height: 50 };
  const edgesOf = (pairs: string[]) =>
    pairs.map((pair) => ({ source: pair[0]!, target: pair[1]! }));

  it('removes a crossing that the id order would draw', () => {
    // p → b and q → a, both joined below in z: in id order a sits under p and b under q, crossing.
    const result = layoutGraph({
      nodes: ['a', 'b', 'p', 'q', 'z'].map((id) => ({ id, ...box })),
      edges: edgesOf(['pb', 'qa', 'az', 'bz']),
    });
    expect(result.crossings).toBe(0);
    const { positions: at } = result;
    expect(at['p']!.x).toBeLessThan(at['q']!.x);
    expect(at['b']!.x).toBeLessThan(at['a']!.x);
  });

  it('counts the crossing that no order can avoid', () => {
    // Two parents each with the same two children (K2,2) cross once whatever the order.
    const result = layoutGraph({
      nodes: ['a', 'b', 'p', 'q'].map((id) => ({ id, ...box })),
      edges: edgesOf(['pa', 'pb', 'qa', 'qb']),
    });
    expect(result.crossings).toBe(1);
  });

  it('lays out a 500-layer chain as one column without overflowing the stack', () => {
    const { positions, width, height } = layoutGraph(chain(501));
    const points = Object.values(positions);
    expect(points).toHaveLength(501);
    expect(new Set(points.map((p) => p.x)).size).toBe(1);
    for (let i = 1; i < 501; i++) {
      const id = (k: number) => `n${String(k).padStart(4, '0')}`;
      expect(positions[id(i)]!.y).toBeGreaterThan(positions[id(i - 1)]!.y);
    }
    expect(width).toBe(232);
    expect(height).toBeGreaterThan(500 * 76);
  });

  it('lays out a cycle (which QEMU never reports) instead of looping', () => {
    const { positions } = layoutGraph({
      nodes: ['a', 'b', 'c'].map((id) => ({ id, ...box })),
      edges: [
        { source: 'a', target: 'b' },
        { source: 'b', target: 'c' },
        { source: 'c', target: 'a' },
        { source: 'b', target: 'b' },
      ],
    });
    expect(positions['a']!.y).toBeLessThan(positions['b']!.y);
    expect(positions['b']!.y).toBeLessThan(positions['c']!.y);
  });

  it('puts a job just above the nodes it works on, not at the top with long edges', () => {
    // dev → a → b → c, and job → c: the job belongs one row above c.
    const { positions } = layoutGraph({
      nodes: [
        { id: 'a', ...box },
        { id: 'b', ...box },
        { id: 'c', ...box },
        { id: 'dev', ...box, top: true },
        { id: 'job', ...box },
      ],
      edges: [
        { source: 'dev', target: 'a' },
        { source: 'a', target: 'b' },
        { source: 'b', target: 'c' },
        { source: 'job', target: 'c' },
      ],
    });
    expect(positions['job']!.y).toBe(positions['b']!.y);
    expect(positions['dev']!.y).toBe(0);
  });

  it.each([1000, 5000])(
    'lays out a generated %i-node graph completely, without overlaps, chains straight',
    (nodeCount) => {
      const model = buildBlockGraphModel(generateGraphInputs({ nodeCount }));
      const { positions, crossings } = layoutGraph(toLayoutInput(model));
      expect(Object.keys(positions)).toHaveLength(nodeCount);
      expect(overlapping(positions, kindSize(model))).toEqual([]);
      expect(crossings).toBe(0);
      const column = Array.from({ length: 24 }, (_, l) => positions[`drv:dev3-layer${23 - l}`]!);
      expect(new Set(column.map((p) => p.x)).size).toBe(1);
      for (let i = 1; i < column.length; i++)
        expect(column[i]!.y).toBeGreaterThan(column[i - 1]!.y);
      const device = positions[DEVICE('vd3')]!;
      expect(device).toEqual({ x: column[0]!.x, y: expect.any(Number) as number });
      expect(device.y).toBeLessThan(column[0]!.y);
      expect(positions['drv:dev3-layer5-file']!.y).toBe(positions['drv:dev3-layer4']!.y);
    },
  );
});

describe('every captured graph', () => {
  const live = [
    'backup',
    'commit',
    'demo',
    'exports',
    'leftovers',
    'legacy-throttle',
    'libvirt',
    'mirror',
  ];
  const bare = [
    'active-commit-ready',
    'after-pivot',
    'during-backup',
    'during-mirror',
    'mirror-ready',
    'qsd-exports-throttle',
    'throttle-above-device-via-qom-set-drive',
    'throttle-inserted-via-reopen',
    'with-nbd-exports-vm',
  ];
  it.each([
    ...live.map((name) => [`live-${name}`, () => liveInputs(name)] as const),
    ...bare.map((name) => [`block-graph-${name}`, () => graphOnly(name)] as const),
  ])(
    '%s: every node placed, none overlapping, devices heading their part, edges downwards',
    (_, inputs) => {
      const model = buildBlockGraphModel(inputs());
      const { positions, width, height } = layoutGraph(toLayoutInput(model));
      expect(Object.keys(positions).sort()).toEqual(model.nodes.map((n) => n.id).sort());
      expect(overlapping(positions, kindSize(model))).toEqual([]);
      // Devices head their part of the picture: nothing they reach is level with or above them.
      for (const node of model.nodes)
        for (const device of node.devices)
          if (device !== node.id)
            expect(positions[device]!.y, node.id).toBeLessThan(positions[node.id]!.y);
      for (const edge of model.edges)
        expect(positions[edge.source]!.y, edge.id).toBeLessThan(positions[edge.target]!.y);
      // Small real graphs read at fit in a 1600×1000 window (10% margins) at 0.7 of full size or more.
      expect(Math.min(1600 / (1.2 * width), 1000 / (1.2 * height))).toBeGreaterThanOrEqual(0.7);
    },
  );
});

describe('mergePositions', () => {
  it('keeps old nodes still and places a new mirror filter and job without overlaps', async () => {
    const idle = buildBlockGraphModel(liveInputs('demo'));
    const mirror = buildBlockGraphModel(liveInputs('mirror'));
    const before = await layoutModel(inlineLayoutEngine, idle);
    const fresh = await layoutModel(inlineLayoutEngine, mirror);
    const sizeOf = kindSize(mirror);
    const merged = mergePositions(before, fresh, mirror.edges, sizeOf);
    for (const [id, at] of Object.entries(before)) expect(merged[id]).toEqual(at);
    expect(Object.keys(merged).sort()).toEqual(mirror.nodes.map((n) => n.id).sort());
    expect(overlapping(merged, sizeOf)).toEqual([]);
  });

  it('drops positions of nodes that are gone', () => {
    const merged = mergePositions(
      { a: { x: 1, y: 2 }, gone: { x: 0, y: 0 } },
      { a: { x: 9, y: 9 } },
      [],
      () => ({
        width: 10,
        height: 10,
      }),
    );
    expect(merged).toEqual({ a: { x: 1, y: 2 } });
  });
});
