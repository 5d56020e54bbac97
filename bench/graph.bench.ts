// Graph model + layout in Node for generated graphs of 10 to 5,000 nodes, a captured mirror and a
// 500-layer backing chain, beside graphviz `dot` on the same graph written the way
// render_block_graph.py writes it (same run), with both layouts' quality (graph-quality.ts).
import { spawnSync } from 'node:child_process';
import { toDot } from '../src/features/block-graph/export/to-dot.ts';
import { layoutGraph } from '../src/features/block-graph/layout/layered-layout.ts';
import { toLayoutInput } from '../src/features/block-graph/layout/layout-input.ts';
import { nodeSize } from '../src/features/block-graph/layout/node-size.ts';
import { buildBlockGraphModel } from '../src/features/block-graph/model/build-model.ts';
import { liveInputs } from '../src/features/block-graph/model/fixtures.ts';
import type { BlockGraphModel, GraphInputs } from '../src/features/block-graph/model/types.ts';
import { generateGraphInputs } from '../test/fixtures/graph/generate-graph.ts';
import { parsePlain, quality, type Drawing, type Quality } from './graph-quality.ts';
import type { BenchContext } from './report.ts';

/** graphviz gets this long per graph; past it the row says so instead of waiting. */
const DOT_TIMEOUT_MS = 120_000;
const REPEATS = 5;

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;

/** One dot run: the layout rendered as SVG (discarded) and as plain text (positions). */
function runDot(source: string): { ms: number; plain: string | null } {
  const start = performance.now();
  const run = spawnSync('dot', ['-Tsvg', '-o', '/dev/null', '-Tplain'], {
    input: source,
    timeout: DOT_TIMEOUT_MS,
    maxBuffer: 1 << 30,
    encoding: 'utf8',
  });
  const ms = performance.now() - start;
  if (run.error || run.status !== 0) return { ms: Infinity, plain: null };
  return { ms, plain: run.stdout };
}

/** A device over a backing chain of `layers` qcow2 images, each on its file. */
function longChain(layers: number): GraphInputs {
  const inputs = generateGraphInputs({ nodeCount: 1 + 2 * layers, perDevice: 1 + 2 * layers });
  return inputs;
}

function ourDrawing(model: BlockGraphModel): Drawing {
  const { positions } = layoutGraph(toLayoutInput(model));
  const nodes: Drawing['nodes'] = new Map();
  for (const node of model.nodes) {
    const size = nodeSize(node.kind);
    const at = positions[node.id]!;
    nodes.set(node.id, { x: at.x + size.width / 2, y: at.y + size.height / 2, ...size });
  }
  return { nodes, edges: model.edges };
}

const fmtQuality = (q: Quality) =>
  `${q.crossings} crossings, aspect ${q.aspect.toFixed(2)}, area ${q.areaPerNodeArea.toFixed(1)}× the nodes'`;

export async function benchGraph(
  ctx: BenchContext,
  sizes = [10, 100, 290, 1000, 5000],
): Promise<void> {
  // Warm the JIT (the first runs are several times slower) so no size pays for it.
  for (let i = 0; i < 3; i++)
    layoutGraph(toLayoutInput(buildBlockGraphModel(generateGraphInputs({ nodeCount: 500 }))));
  const cases: { name: string; key: string; inputs: GraphInputs; goal: boolean }[] = [
    ...sizes.map((size) => ({
      name: `${size} nodes`,
      key: `n${size}`,
      inputs: generateGraphInputs({ nodeCount: size }),
      goal: true,
    })),
    { name: 'mirror capture', key: 'mirror', inputs: liveInputs('mirror'), goal: true },
    { name: '500-layer chain', key: 'chain500', inputs: longChain(500), goal: true },
  ];
  for (const { name, key, inputs, goal } of cases) {
    const modelMs: number[] = [];
    const layoutMs: number[] = [];
    let model = buildBlockGraphModel(inputs);
    for (let i = 0; i < REPEATS; i++) {
      const start = performance.now();
      model = buildBlockGraphModel(inputs);
      const modelled = performance.now();
      layoutGraph(toLayoutInput(model));
      modelMs.push(modelled - start);
      layoutMs.push(performance.now() - modelled);
    }
    const ours = median(modelMs) + median(layoutMs);
    const nodes = model.nodes.length;
    // dot on 5,000 nodes takes tens of seconds: once is enough there.
    const source = toDot(model);
    const dotRuns = Array.from({ length: nodes > 1000 ? 1 : REPEATS }, () => runDot(source));
    const dot = median(dotRuns.map((r) => r.ms));
    ctx.add({
      key: `graph.${key}.model_layout_ms`,
      label: `Graph: model + layout, ${name} (Node, median of ${REPEATS})`,
      value: ours,
      unit: 'ms',
      baseline: {
        label: Number.isFinite(dot)
          ? 'dot -Tsvg'
          : `dot (gave up after ${DOT_TIMEOUT_MS / 1000} s)`,
        value: dot,
        unit: 'ms',
      },
      ratio: ours / dot,
      ...(goal ? { goal: 'faster than dot', met: ours < dot } : {}),
    });
    const mine = quality(ourDrawing(model));
    const plain = dotRuns.find((r) => r.plain)?.plain;
    const theirs = plain
      ? quality(parsePlain(plain, new Set(model.byId.keys()), model.edges))
      : undefined;
    ctx.add({
      key: `graph.${key}.crossings`,
      label: `Graph: edge crossings, ${name}`,
      value: mine.crossings,
      unit: '',
      ...(theirs
        ? {
            baseline: { label: 'dot', value: theirs.crossings, unit: '' },
            goal: '≤ dot',
            met: mine.crossings <= theirs.crossings,
          }
        : {}),
    });
    ctx.add({
      key: `graph.${key}.aspect`,
      label: `Graph: drawing width / height, ${name}`,
      value: mine.aspect,
      unit: '',
      ...(theirs ? { baseline: { label: 'dot', value: theirs.aspect, unit: '' } } : {}),
    });
    ctx.add({
      key: `graph.${key}.area_per_node_area`,
      label: `Graph: drawing area / node area, ${name}`,
      value: mine.areaPerNodeArea,
      unit: '×',
      ...(theirs
        ? {
            baseline: { label: 'dot', value: theirs.areaPerNodeArea, unit: '×' },
            ratio: mine.areaPerNodeArea / theirs.areaPerNodeArea,
          }
        : {}),
    });
    ctx.note(
      `graph ${name} (${nodes} nodes, median of ${REPEATS}): model ${median(modelMs).toFixed(1)} ms, layout ${median(layoutMs).toFixed(1)} ms; ours ${fmtQuality(mine)}; dot ${theirs ? fmtQuality(theirs) : 'no layout'}`,
    );
  }
}
