// True while the graph is zoomed out so far that small text is unreadable. Cards and edge labels
// then draw less, which keeps pan and zoom smooth on 1,000-node graphs. The selector returns a
// boolean, so components re-render only when the threshold is crossed.
import { useStore } from '@xyflow/react';

export const READABLE_ZOOM = 0.45;

export function useZoomedOut(): boolean {
  return useStore((state) => state.transform[2] < READABLE_ZOOM);
}
