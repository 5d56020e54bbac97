// What an operator asks of a node beyond its own details: which devices reach it, which jobs and
// exports touch it, how deep its backing chain is, and whether a throttle filter sits above it.
import { isFilterDriver } from './node-kind.ts';
import type { GraphEdge, GraphNode } from './types.ts';

export function annotateRelations(byId: ReadonlyMap<string, GraphNode>, edges: GraphEdge[]): void {
  const children = new Map<string, GraphEdge[]>();
  for (const edge of edges) {
    const list = children.get(edge.source);
    if (list) list.push(edge);
    else children.set(edge.source, [edge]);
  }
  const add = (list: string[], value: string) => {
    if (!list.includes(value)) list.push(value);
  };

  for (const node of byId.values()) {
    if (node.kind === 'device') {
      // Iterative walk: 1,000-node chains must not overflow the stack.
      const stack = [node.id];
      const seen = new Set<string>();
      while (stack.length > 0) {
        const id = stack.pop() as string;
        if (seen.has(id)) continue;
        seen.add(id);
        const current = byId.get(id);
        if (current) add(current.devices, node.id);
        for (const edge of children.get(id) ?? []) stack.push(edge.target);
      }
    } else if (node.kind === 'job') {
      add(node.jobs, node.name);
      for (const edge of children.get(node.id) ?? []) {
        const child = byId.get(edge.target);
        if (child) add(child.jobs, node.name);
      }
    } else if (node.kind === 'export') {
      add(node.exports, node.name);
      for (const edge of children.get(node.id) ?? []) {
        const child = byId.get(edge.target);
        if (child) add(child.exports, node.name);
      }
    } else if (node.throttle?.how === 'filter') {
      for (const edge of children.get(node.id) ?? []) {
        const child = byId.get(edge.target);
        if (child && !child.throttle) {
          child.throttle = {
            how: 'filtered',
            group: node.throttle.group,
            limits: node.throttle.limits,
          };
        }
      }
    }
  }
  computeBackingDepths(byId, children);
}

/** Images below each node along `backing` edges; a filter reports the depth of what it filters. */
function computeBackingDepths(
  byId: ReadonlyMap<string, GraphNode>,
  children: Map<string, GraphEdge[]>,
): void {
  const depth = new Map<string, number>();
  const next = (id: string): { child?: string; counts: boolean } => {
    const node = byId.get(id);
    const edges = children.get(id) ?? [];
    const backing = edges.find((e) => e.role === 'backing');
    if (node && isFilterDriver(node.driver)) {
      const filtered = backing ?? edges.find((e) => e.role === 'file');
      return { child: filtered?.target, counts: false };
    }
    return { child: backing?.target, counts: true };
  };
  for (const node of byId.values()) {
    if (node.kind === 'job' || node.kind === 'device' || node.kind === 'export') continue;
    // Walk down the chain, then fill depths on the way back, so each node is visited once.
    const path: { id: string; counts: boolean }[] = [];
    let id: string | undefined = node.id;
    const onPath = new Set<string>();
    while (id !== undefined && !depth.has(id) && !onPath.has(id)) {
      onPath.add(id);
      const step = next(id);
      path.push({ id, counts: step.counts && step.child !== undefined });
      id = step.child;
    }
    let below = id !== undefined ? (depth.get(id) ?? 0) : 0;
    for (let i = path.length - 1; i >= 0; i--) {
      const step = path[i]!;
      if (step.counts) below += 1;
      depth.set(step.id, below);
    }
  }
  for (const node of byId.values()) node.backingDepth = depth.get(node.id) ?? 0;
}
