// The rectangle around some nodes, from our own positions and card sizes: React Flow's fitView
// only knows nodes it has rendered, and large graphs render only what is on screen.
import type { BlockGraphModel } from '../model/types.ts';
import type { Positions } from '../layout/layout-input.ts';
import { nodeSize } from '../layout/node-size.ts';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export function boundsOf(
  ids: Iterable<string>,
  model: BlockGraphModel,
  positions: Positions,
): Rect | null {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const id of ids) {
    const at = positions[id];
    const node = model.byId.get(id);
    if (!at || !node) continue;
    const size = nodeSize(node.kind);
    minX = Math.min(minX, at.x);
    minY = Math.min(minY, at.y);
    maxX = Math.max(maxX, at.x + size.width);
    maxY = Math.max(maxY, at.y + size.height);
  }
  if (minX === Infinity) return null;
  return { x: minX, y: minY, width: maxX - minX, height: maxY - minY };
}
