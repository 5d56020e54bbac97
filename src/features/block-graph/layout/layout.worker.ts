// The layout worker: answers { id, input } with { id, positions } (or { id, error }), so a large
// graph's layout never holds up the page's main thread.
import { layoutGraph, type LayoutInput } from './layered-layout.ts';

interface Request {
  id: number;
  input: LayoutInput;
}

self.onmessage = (event: MessageEvent<Request>) => {
  const { id, input } = event.data;
  try {
    self.postMessage({ id, positions: layoutGraph(input).positions });
  } catch (error) {
    self.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
};
