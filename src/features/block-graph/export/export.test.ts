import { describe, expect, it } from 'vitest';
import { buildBlockGraphModel } from '../model/build-model.ts';
import { liveInputs } from '../model/fixtures.ts';
import type { GraphInputs } from '../model/types.ts';
import { toDot } from './to-dot.ts';
import { toSvg } from './to-svg.ts';

const EVIL = '<img src=x onerror=alert(1)>.raw';

function withEvilFile(): GraphInputs {
  const inputs = liveInputs('demo');
  const node = inputs.namedNodes!.find((n) => n['node-name'] === 'data-file')!;
  node.file = `/images/${EVIL}`;
  return inputs;
}

describe('toDot', () => {
  const dot = toDot(buildBlockGraphModel(liveInputs('mirror')));

  it('labels nodes, jobs and backends as render_block_graph.py does', () => {
    expect(dot.startsWith('// Block Nodes Graph\ndigraph {\n')).toBe(true);
    expect(dot).toContain('"drv:os-top" [label="os-top [qcow2]" shape=ellipse]');
    expect(dot).toContain(
      '"drv:os-top-file" [label="os-top-file [file]\\nos-top.qcow2" shape=ellipse]',
    );
    expect(dot).toContain('"job:mirror0" [label="mirror job (mirror0)" shape=box]');
    expect(dot).toContain('[label="/machine/peripheral/vda/virtio-backend" shape=box]');
    expect(dot).toContain('"anon:job:mirror0:mirror-dst" [label="unnamed blk" shape=box]');
  });

  it('labels edges with role, perm and shared-perm in w r u s letters', () => {
    expect(dot).toContain('"drv:os-top" -> "drv:os-mid" [label="backing\\l_r__\\l_ru_\\l"]');
    expect(dot).toContain('"job:mirror0" -> "drv:os-top" [label="source\\l____\\lwru_\\l"]');
  });

  it('escapes quotes and backslashes in names', () => {
    const dotEvil = toDot(buildBlockGraphModel(withEvilFile()));
    expect(dotEvil).toContain(`data-file [file]\\n${EVIL}`);
    const quoted = buildBlockGraphModel(liveInputs('demo'));
    quoted.nodes[0]!.name = 'a"b\\c';
    quoted.nodes[0]!.kind = 'format';
    expect(toDot(quoted)).toContain('a\\"b\\\\c');
  });
});

describe('toSvg', () => {
  it('draws every positioned node and escapes file names from disk images', () => {
    const model = buildBlockGraphModel(withEvilFile());
    const positions = Object.fromEntries(model.nodes.map((n, i) => [n.id, { x: i * 300, y: 0 }]));
    const svg = toSvg(model, positions);
    expect(svg).not.toContain('<img');
    expect(svg).toContain('&lt;img src=x onerror=alert(1)&gt;.raw');
    expect(svg.match(/<g>/g)).toHaveLength(model.nodes.length);
  });

  it('leaves out nodes hidden by the device filter', () => {
    const model = buildBlockGraphModel(liveInputs('demo'));
    const positions = Object.fromEntries(model.nodes.map((n, i) => [n.id, { x: i * 300, y: 0 }]));
    const svg = toSvg(model, positions, (id) => id === 'drv:data');
    expect(svg.match(/<g>/g)).toHaveLength(1);
  });
});
