// Keeps the picture still when the graph changes: nodes that were already drawn stay exactly
// where they were (or where the user dragged them), and only new nodes take positions from the
// fresh layout, shifted by how far their nearest old neighbour moved in it, then nudged sideways
// until they overlap nothing.
import type { Positions } from './layout-input.ts';

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

const GAP = 24;

function overlaps(a: Box, b: Box): boolean {
  return (
    a.x < b.x + b.width + GAP &&
    b.x < a.x + a.width + GAP &&
    a.y < b.y + b.height + GAP &&
    b.y < a.y + a.height + GAP
  );
}

export function mergePositions(
  previous: Positions,
  fresh: Positions,
  edges: readonly { source: string; target: string }[],
  sizeOf: (id: string) => { width: number; height: number },
): Positions {
  const result: Positions = {};
  const neighbours = new Map<string, string[]>();
  const link = (a: string, b: string) => {
    const list = neighbours.get(a);
    if (list) list.push(b);
    else neighbours.set(a, [b]);
  };
  for (const e of edges) {
    link(e.source, e.target);
    link(e.target, e.source);
  }
  const placed: Box[] = [];
  const fresher: string[] = [];
  for (const id of Object.keys(fresh)) {
    const old = previous[id];
    if (old) {
      result[id] = old;
      placed.push({ ...old, ...sizeOf(id) });
    } else fresher.push(id);
  }
  for (const id of fresher) {
    const at = fresh[id]!;
    const anchor = nearestKept(id, neighbours, previous, fresh);
    const shift = anchor
      ? { x: previous[anchor]!.x - fresh[anchor]!.x, y: previous[anchor]!.y - fresh[anchor]!.y }
      : { x: 0, y: 0 };
    const box = { x: at.x + shift.x, y: at.y + shift.y, ...sizeOf(id) };
    while (placed.some((other) => overlaps(box, other))) box.x += box.width / 2 + GAP;
    placed.push(box);
    result[id] = { x: box.x, y: box.y };
  }
  return result;
}

/** Breadth-first search for the closest node that has both an old and a fresh position. */
function nearestKept(
  start: string,
  neighbours: Map<string, string[]>,
  previous: Positions,
  fresh: Positions,
): string | undefined {
  const seen = new Set([start]);
  let frontier = [start];
  while (frontier.length > 0) {
    const next: string[] = [];
    for (const id of frontier) {
      for (const n of neighbours.get(id) ?? []) {
        if (seen.has(n)) continue;
        if (previous[n] && fresh[n]) return n;
        seen.add(n);
        next.push(n);
      }
    }
    frontier = next;
  }
  return undefined;
}
