// Stable identities for the graph's nodes. QEMU's `id`s are a per-call sequence (qmp-domain.md
// §3.1), so each node is keyed by what does survive a refresh: its node-name, its BlockBackend
// name (qdev path or drive id), its job id. Anonymous BlockBackends are recognised by what they
// serve: an export (by node-name), a job's target (by the job's `target` edge), or else by the
// node they point at.
import type { RawExport, RawGraph } from './types.ts';

type RawNode = RawGraph['nodes'][number];

export interface Identity {
  id: string;
  /** For an anonymous backend recognised as an export or job target. */
  exportId?: string;
  targetOfJob?: string;
}

export function assignIdentities(graph: RawGraph, exports: RawExport[]): Map<number, Identity> {
  const byRawId = new Map(graph.nodes.map((n) => [n.id, n]));
  const rootChild = new Map<number, RawNode>();
  const jobTargets = new Map<number, string>();
  for (const edge of graph.edges) {
    const parent = byRawId.get(edge.parent);
    const child = byRawId.get(edge.child);
    if (!parent || !child) continue;
    if (parent.type === 'block-backend' && edge.name === 'root') rootChild.set(parent.id, child);
    if (parent.type === 'block-job' && edge.name === 'target')
      jobTargets.set(child.id, parent.name);
  }

  const result = new Map<number, Identity>();
  const anonymous: RawNode[] = [];
  for (const node of graph.nodes) {
    if (node.type === 'block-driver')
      result.set(node.id, { id: `drv:${node.name || `#${node.id}`}` });
    else if (node.type === 'block-job') result.set(node.id, { id: `job:${node.name}` });
    else if (node.name) result.set(node.id, { id: `blk:${node.name}` });
    else anonymous.push(node);
  }

  // Exports first: each export claims one anonymous backend over its node.
  const unclaimed = new Set(anonymous);
  for (const exp of [...exports].sort((a, b) => a.id.localeCompare(b.id))) {
    const match = [...unclaimed].find((n) => rootChild.get(n.id)?.name === exp['node-name']);
    if (!match) continue;
    unclaimed.delete(match);
    result.set(match.id, { id: `export:${exp.id}`, exportId: exp.id });
  }
  const counters = new Map<string, number>();
  for (const node of unclaimed) {
    const child = rootChild.get(node.id);
    const job = child ? jobTargets.get(child.id) : undefined;
    const base = job ? `anon:job:${job}:${child?.name}` : `anon:${child?.name ?? ''}`;
    const n = counters.get(base) ?? 0;
    counters.set(base, n + 1);
    result.set(node.id, { id: n === 0 ? base : `${base}#${n}`, targetOfJob: job });
  }
  return result;
}
