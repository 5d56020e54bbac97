// Permissions on edges: the compact four-letter form operators know from render_block_graph.py,
// and the conflict rule of the block layer (a parent's `perm` must be in every other parent's
// `shared-perm` on the same child, as block.c checks when a child is attached).
import type { BlockPermission, GraphEdge } from './types.ts';

const LETTERS: [BlockPermission, string][] = [
  ['write', 'w'],
  ['consistent-read', 'r'],
  ['write-unchanged', 'u'],
  ['resize', 's'],
];

/** `[write, consistent-read]` → `wr__`. */
export function permLetters(perms: readonly BlockPermission[]): string {
  return LETTERS.map(([perm, letter]) => (perms.includes(perm) ? letter : '_')).join('');
}

/** Fills `conflicts` of each edge: permissions it takes that a sibling parent does not share. */
export function markConflicts(edges: GraphEdge[]): void {
  const byChild = new Map<string, GraphEdge[]>();
  for (const edge of edges) {
    const list = byChild.get(edge.target);
    if (list) list.push(edge);
    else byChild.set(edge.target, [edge]);
  }
  for (const siblings of byChild.values()) {
    if (siblings.length < 2) continue;
    for (const edge of siblings) {
      edge.conflicts = edge.perm.filter((perm) =>
        siblings.some((other) => other !== edge && !other.shared.includes(perm)),
      );
    }
  }
}
