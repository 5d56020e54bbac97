// The fixed size of each kind of node card, shared by the layout and the rendered cards.
import type { NodeKind } from '../model/types.ts';

export const NODE_WIDTH = 232;

export function nodeSize(kind: NodeKind): { width: number; height: number } {
  // Room for: kind line, title, subtitle, badges (and a job's progress bar).
  return { width: NODE_WIDTH, height: kind === 'job' ? 84 : 76 };
}
