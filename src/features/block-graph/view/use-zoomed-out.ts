// How much the cards draw at the current zoom (React Flow's "contextual zoom"): everything when
// text is readable; no badges or edge labels below READABLE_ZOOM; below BOXES_ZOOM, where even a
// title is a few pixels high, a plain coloured box per node. That keeps pan and zoom smooth on
// 1,000-node graphs. The selectors return a boolean, so components re-render only when a
// threshold is crossed.
import { useStore } from '@xyflow/react';

export const READABLE_ZOOM = 0.45;
const BOXES_ZOOM = 0.25;

export function useZoomedOut(): boolean {
  return useStore((state) => state.transform[2] < READABLE_ZOOM);
}

export function useBoxesOnly(): boolean {
  return useStore((state) => state.transform[2] < BOXES_ZOOM);
}
