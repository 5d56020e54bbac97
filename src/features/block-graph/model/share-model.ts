// Keeps what did not change: a refresh builds a fresh model, and every node and edge equal to
// the one before is replaced by the object from before, so memoised cards of unchanged nodes do
// not re-render. A jobs-only refresh (the proxy's job poll, about once a second while jobs run)
// skips the rebuild and replaces just the job nodes whose job changed.
import { jobLabel } from './node-kind.ts';
import type { BlockGraphModel, GraphNode, RawJob } from './types.ts';

/** Structural equality of JSON-like values; shared subtrees (the query cache keeps them) are quick. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  return ka.every((k) => Object.hasOwn(rb, k) && sameValue(ra[k], rb[k]));
}

export function shareUnchanged(
  previous: BlockGraphModel | undefined,
  next: BlockGraphModel,
): BlockGraphModel {
  if (!previous) return next;
  let changed = previous.topologyKey !== next.topologyKey;
  const nodes = next.nodes.map((node) => {
    const old = previous.byId.get(node.id);
    if (old && sameValue(old, node)) return old;
    changed = true;
    return node;
  });
  const oldEdges = new Map(previous.edges.map((e) => [e.id, e]));
  const edges = next.edges.map((edge) => {
    const old = oldEdges.get(edge.id);
    if (old && sameValue(old, edge)) return old;
    changed = true;
    return edge;
  });
  if (!changed && nodes.length === previous.nodes.length) return previous;
  return {
    nodes,
    edges,
    byId: new Map(nodes.map((n) => [n.id, n])),
    topologyKey: next.topologyKey,
  };
}

/** The model with each job node's job (and label) taken from `jobs`, unchanged nodes kept. */
export function withJobs(
  model: BlockGraphModel,
  jobs: readonly RawJob[] | undefined,
): BlockGraphModel {
  const byName = new Map((jobs ?? []).map((j) => [j.id, j]));
  let changed = false;
  const nodes = model.nodes.map((node): GraphNode => {
    if (node.kind !== 'job') return node;
    const job = byName.get(node.name);
    if (sameValue(node.job, job)) return node;
    changed = true;
    return { ...node, job, label: jobLabel(node.name, job), raw: { ...node.raw, job } };
  });
  if (!changed) return model;
  return { ...model, nodes, byId: new Map(nodes.map((n) => [n.id, n])) };
}
