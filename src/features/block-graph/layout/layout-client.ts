// The page's handle on the layout worker: elk-api (small) on the main thread, ELK in the worker.
import ELK from 'elkjs/lib/elk-api.js';
import type { ElkLike } from './elk-input.ts';

let shared: ElkLike | null = null;

/** One ELK worker for the page, started on first use. */
export function layoutEngine(): ElkLike {
  shared ??= new ELK({
    workerFactory: () =>
      new Worker(new URL('./layout.worker.ts', import.meta.url), { type: 'module' }),
  });
  return shared;
}

/**
 * Starts the worker and has it lay out a tiny graph while the page is still connecting and
 * reading the graph: loading and compiling ELK's 1.4 MB costs more than laying out a large
 * graph with warm code, and this way it overlaps the network wait instead of following it.
 */
export function warmLayoutEngine(): void {
  void layoutEngine()
    .layout({
      id: 'warm-up',
      layoutOptions: { 'elk.algorithm': 'layered' },
      children: [
        { id: 'a', width: 10, height: 10 },
        { id: 'b', width: 10, height: 10 },
      ],
      edges: [{ id: 'e', sources: ['a'], targets: ['b'] }],
    })
    .catch(() => {
      // A failing worker shows up on the real layout, with its error, in the view.
    });
}
