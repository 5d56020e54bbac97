// Which nodes can be closed: a node nothing uses (no device, job, export or other node holds it
// in x-debug-query-block-graph) can go with blockdev-del, parents before their children.
import type { LiveState } from './live-state.ts';

/** Of the candidates, those unused once the earlier ones are closed, parents first. */
export function unusedNodes(live: LiveState, candidates: string[]): string[] {
  const byName = new Map<string, number>();
  for (const n of live.graph.nodes) if (n.type === 'block-driver') byName.set(n.name, n.id);
  const closed = new Set<number>();
  const order: string[] = [];
  const wanted = candidates.filter((c, i) => candidates.indexOf(c) === i && !c.startsWith('#'));
  for (let progress = true; progress;) {
    progress = false;
    for (const name of wanted) {
      const id = byName.get(name);
      if (id === undefined || closed.has(id)) continue;
      const used = live.graph.edges.some((e) => e.child === id && !closed.has(e.parent));
      if (used) continue;
      closed.add(id);
      order.push(name);
      progress = true;
    }
  }
  return order;
}
