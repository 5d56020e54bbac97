// The fixed size of each kind of node card, shared by the layout and the rendered cards.
import type { NodeKind } from '../model/types.ts';

export const NODE_WIDTH = 232;

export function nodeSize(kind: NodeKind): { width: number; height: number } {
  switch (kind) {
    case 'device':
    case 'export':
    case 'backend':
      return { width: NODE_WIDTH, height: 60 };
    case 'job':
      return { width: NODE_WIDTH, height: 64 };
    default:
      return { width: NODE_WIDTH, height: 76 };
  }
}
