// Graph model + layout in Node for generated graphs of 100, 1,000 and 5,000 nodes, beside graphviz
// `dot -Tsvg` on the same graph written the way render_block_graph.py writes it (same run).
import { spawnSync } from 'node:child_process';
import ELK from 'elkjs/lib/elk.bundled.js';
import { toDot } from '../src/features/block-graph/export/to-dot.ts';
import { layoutModel } from '../src/features/block-graph/layout/elk-input.ts';
import { buildBlockGraphModel } from '../src/features/block-graph/model/build-model.ts';
import { generateGraphInputs } from '../test/fixtures/graph/generate-graph.ts';
import type { BenchContext } from './report.ts';

/** graphviz gets this long per graph; past it the row says so instead of waiting. */
const DOT_TIMEOUT_MS = 120_000;
const REPEATS = 3;

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;

function timeDot(source: string): number {
  const start = performance.now();
  const run = spawnSync('dot', ['-Tsvg', '-o', '/dev/null'], {
    input: source,
    timeout: DOT_TIMEOUT_MS,
    maxBuffer: 1 << 30,
  });
  const ms = performance.now() - start;
  if (run.error || run.status !== 0) return Infinity;
  return ms;
}

export async function benchGraph(ctx: BenchContext, sizes = [100, 1000, 5000]): Promise<void> {
  const elk = new ELK();
  // Warm ELK and the JIT (the first runs are several times slower) so no size pays for it.
  for (let i = 0; i < 3; i++)
    await layoutModel(elk, buildBlockGraphModel(generateGraphInputs({ nodeCount: 500 })));
  for (const size of sizes) {
    const inputs = generateGraphInputs({ nodeCount: size });
    const modelMs: number[] = [];
    const layoutMs: number[] = [];
    let model = buildBlockGraphModel(inputs);
    for (let i = 0; i < REPEATS; i++) {
      const start = performance.now();
      model = buildBlockGraphModel(inputs);
      const modelled = performance.now();
      await layoutModel(elk, model);
      modelMs.push(modelled - start);
      layoutMs.push(performance.now() - modelled);
    }
    const ours = median(modelMs) + median(layoutMs);
    // dot on 5,000 nodes takes tens of seconds: once is enough there.
    const source = toDot(model);
    const dot = median(Array.from({ length: size > 1000 ? 1 : REPEATS }, () => timeDot(source)));
    const goal = size === 1000;
    ctx.add({
      key: `graph.n${size}.model_layout_ms`,
      label: `Graph: model + ELK layout, ${size} nodes (Node, median of ${REPEATS})`,
      value: ours,
      unit: 'ms',
      baseline: {
        label: Number.isFinite(dot)
          ? 'dot -Tsvg'
          : `dot -Tsvg (gave up after ${DOT_TIMEOUT_MS / 1000} s)`,
        value: dot,
        unit: 'ms',
      },
      ratio: ours / dot,
      ...(goal ? { goal: 'faster than dot and < 1000 ms', met: ours < dot && ours < 1000 } : {}),
    });
    ctx.note(
      `graph ${size} nodes (median of ${REPEATS}): model ${median(modelMs).toFixed(1)} ms, layout ${median(layoutMs).toFixed(0)} ms`,
    );
  }
}
