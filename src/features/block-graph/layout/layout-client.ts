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
