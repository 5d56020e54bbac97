import ELK from 'elkjs/lib/elk.bundled.js';
import { describe, expect, it } from 'vitest';
import { generateGraphInputs } from '../../../../test/fixtures/graph/generate-graph.ts';
import { buildBlockGraphModel } from '../model/build-model.ts';
import { liveInputs } from '../model/fixtures.ts';
import { layoutModel, type Positions } from './elk-input.ts';
import { chainGroups } from './compress-chains.ts';
import { mergePositions } from './merge-positions.ts';
import { nodeSize } from './node-size.ts';

const elk = new ELK();

function overlapping(positions: Positions, kindOf: (id: string) => Parameters<typeof nodeSize>[0]) {
  const boxes = Object.entries(positions).map(([id, p]) => ({ id, ...p, ...nodeSize(kindOf(id)) }));
  const pairs: string[] = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i]!;
      const b = boxes[j]!;
      if (
        a.x < b.x + b.width &&
        b.x < a.x + a.width &&
        a.y < b.y + b.height &&
        b.y < a.y + a.height
      )
        pairs.push(`${a.id} × ${b.id}`);
    }
  }
  return pairs;
}

describe('ELK layout of the model', () => {
  it('places devices above their chain and protocol nodes below, with no overlaps', async () => {
    const model = buildBlockGraphModel(liveInputs('demo'));
    const positions = await layoutModel(elk, model);
    expect(Object.keys(positions).sort()).toEqual(model.nodes.map((n) => n.id).sort());
    const y = (id: string) => positions[id]!.y;
    expect(y('blk:/machine/peripheral/vda/virtio-backend')).toBeLessThan(y('drv:os-top'));
    expect(y('drv:os-top')).toBeLessThan(y('drv:os-mid'));
    expect(y('drv:os-mid')).toBeLessThan(y('drv:os-base'));
    expect(y('drv:os-base')).toBeLessThan(y('drv:os-base-file'));
    expect(overlapping(positions, (id) => model.byId.get(id)!.kind)).toEqual([]);
  });

  it('is deterministic for the same topology', async () => {
    const model = buildBlockGraphModel(liveInputs('mirror'));
    expect(await layoutModel(elk, model)).toEqual(await layoutModel(elk, model));
  });

  it('lays out a generated 1,000-node graph completely and without overlaps', async () => {
    const model = buildBlockGraphModel(generateGraphInputs({ nodeCount: 1000 }));
    const positions = await layoutModel(elk, model);
    expect(Object.keys(positions)).toHaveLength(1000);
    expect(overlapping(positions, (id) => model.byId.get(id)!.kind)).toEqual([]);
  });
});

describe('mergePositions', () => {
  it('keeps old nodes still and places a new mirror filter and job without overlaps', async () => {
    const idle = buildBlockGraphModel(liveInputs('demo'));
    const mirror = buildBlockGraphModel(liveInputs('mirror'));
    const before = await layoutModel(elk, idle);
    const fresh = await layoutModel(elk, mirror);
    const kindOf = (id: string) => mirror.byId.get(id)!.kind;
    const merged = mergePositions(before, fresh, mirror.edges, (id) => nodeSize(kindOf(id)));
    for (const [id, at] of Object.entries(before)) expect(merged[id]).toEqual(at);
    expect(Object.keys(merged).sort()).toEqual(mirror.nodes.map((n) => n.id).sort());
    expect(overlapping(merged, kindOf)).toEqual([]);
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

describe('large graphs: chains folded into columns', () => {
  it('draws each generated backing chain as one straight column, top image first', async () => {
    const model = buildBlockGraphModel(generateGraphInputs({ nodeCount: 1000 }));
    const positions = await layoutModel(elk, model);
    const column = Array.from({ length: 24 }, (_, l) => positions[`drv:dev3-layer${23 - l}`]!);
    expect(new Set(column.map((p) => p.x)).size).toBe(1);
    for (let i = 1; i < column.length; i++) expect(column[i]!.y).toBeGreaterThan(column[i - 1]!.y);
    const file = positions['drv:dev3-layer5-file']!;
    expect(file.y).toBe(positions['drv:dev3-layer5']!.y);
    expect(file.x).toBeGreaterThan(positions['drv:dev3-layer5']!.x);
    const device = positions['blk:/machine/peripheral/vd3/virtio-backend']!;
    expect(device.y).toBeLessThan(column[0]!.y);
  });

  it('only folds one-to-one runs of format and filter nodes', () => {
    const kinds: Record<string, 'device' | 'format' | 'filter'> = {
      dev: 'device',
      thr: 'filter',
      a: 'format',
      b: 'format',
      c: 'format',
      d: 'format',
    };
    // dev → thr → a → b → c, and d → c: c has two parents, so the run ends at b.
    const edges = [
      ['dev', 'thr'],
      ['thr', 'a'],
      ['a', 'b'],
      ['b', 'c'],
      ['d', 'c'],
    ].map(([source, target]) => ({ source: source!, target: target! }));
    const groups = chainGroups({ ids: Object.keys(kinds), kindOf: (id) => kinds[id]!, edges });
    expect([...groups.values()]).toEqual([['thr', 'a', 'b']]);
  });
});
