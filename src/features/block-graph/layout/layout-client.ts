// The page's handle on the layout worker: one worker, requests matched to replies by id.
import type { LayoutInput, Positions } from './layered-layout.ts';
import type { LayoutEngine } from './layout-input.ts';

type Reply = { id: number; positions: Positions } | { id: number; error: string };

let shared: LayoutEngine | null = null;

function startWorker(): LayoutEngine {
  const worker = new Worker(new URL('./layout.worker.ts', import.meta.url), { type: 'module' });
  const pending = new Map<number, { resolve(p: Positions): void; reject(e: Error): void }>();
  let nextId = 1;
  worker.onmessage = (event: MessageEvent<Reply>) => {
    const reply = event.data;
    const waiting = pending.get(reply.id);
    if (!waiting) return;
    pending.delete(reply.id);
    if ('error' in reply) waiting.reject(new Error(reply.error));
    else waiting.resolve(reply.positions);
  };
  worker.onerror = (event) => {
    // A worker that fails to load or throws outside a request fails every layout waiting on it.
    const error = new Error(`layout worker: ${event.message || 'failed to start'}`);
    for (const waiting of pending.values()) waiting.reject(error);
    pending.clear();
  };
  return {
    layout(input: LayoutInput) {
      const id = nextId++;
      return new Promise<Positions>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, input });
      });
    },
  };
}

/** One layout worker for the page, started on first use. */
export function layoutEngine(): LayoutEngine {
  shared ??= startWorker();
  return shared;
}

/** Starts the worker while the page is still connecting, so its script loads during that wait. */
export function warmLayoutEngine(): void {
  void layoutEngine()
    .layout({ nodes: [{ id: 'a', width: 10, height: 10 }], edges: [] })
    .catch(() => {
      // A failing worker shows up on the real layout, with its error, in the view.
    });
}
