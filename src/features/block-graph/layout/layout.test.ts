import ELK from 'elkjs/lib/elk.bundled.js';
import { describe, expect, it } from 'vitest';
import { generateGraphInputs } from '../../../../test/fixtures/graph/generate-graph.ts';
import { buildBlockGraphModel } from '../model/build-model.ts';
import { liveInputs } from '../model/fixtures.ts';
import { layoutModel, type Positions } from './elk-input.ts';
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
