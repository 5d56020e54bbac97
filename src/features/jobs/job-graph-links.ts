// A job's source and target nodes, from `x-debug-query-block-graph` (qmp-domain.md §3.2): the job
// is a node of type `block-job` named by its id, and each of its edges is a node it holds, named
// by the role the job gives it. query-jobs has no such fields. By job type (real captures in
// test/fixtures/graph/jobs-*.json, QEMU 7.2):
//   mirror, active commit   `source` → `target`
//   backup                  `main node` is the copy-before-write filter: its `file` → `target`
//   intermediate commit     the topmost `intermediate node` → `base`
//   stream                  the topmost `intermediate node` → `active node` (data flows up into it)
// A role that cannot be found gives no name: a wrong name is worse than none. Node ids are
// per-call, so only names leave this function.

export interface JobEnds {
  /** Where the data is read from (the top of the layers copied, for commit and stream). */
  source: string | undefined;
  /** Where it is written. */
  target: string | undefined;
}

interface GraphNode {
  id: number;
  type: string;
  name: string;
}

interface GraphEdge {
  parent: number;
  child: number;
  name: string;
}

function ends(edges: GraphEdge[], job: number): { source?: number; target?: number } | null {
  const children = (parent: number, role: string) =>
    edges.filter((e) => e.parent === parent && e.name === role).map((e) => e.child);
  const one = (parent: number, role: string) => {
    const found = children(parent, role);
    return found.length === 1 ? found[0] : undefined;
  };
  /** The one intermediate node no other intermediate node has as a child: the top layer. */
  const topmost = (nodes: number[]) => {
    const below = new Set(
      edges.filter((e) => nodes.includes(e.parent) && nodes.includes(e.child)).map((e) => e.child),
    );
    const tops = nodes.filter((n) => !below.has(n));
    return tops.length === 1 ? tops[0] : undefined;
  };

  const source = one(job, 'source');
  const target = one(job, 'target');
  if (source !== undefined) return { source, target };
  if (target !== undefined) {
    // Backup: the job's main node is a filter that copies old data to the same target before
    // the guest overwrites it; the filter's `file` is the disk being backed up.
    const filter = one(job, 'main node');
    const fromFilter =
      filter !== undefined && one(filter, 'target') === target ? one(filter, 'file') : undefined;
    return { source: fromFilter, target };
  }
  const top = topmost(children(job, 'intermediate node'));
  const base = one(job, 'base');
  if (base !== undefined) return { source: top, target: base };
  const active = one(job, 'active node');
  if (active !== undefined) return { source: top, target: active };
  return null;
}

/** Job id → its source/target node names; jobs with neither (create, unknown roles) are absent. */
export function jobEndsFromGraph(graph: unknown): Map<string, JobEnds> {
  const out = new Map<string, JobEnds>();
  if (typeof graph !== 'object' || graph === null) return out;
  const { nodes, edges } = graph as { nodes?: unknown; edges?: unknown };
  if (!Array.isArray(nodes) || !Array.isArray(edges)) return out;
  const byId = new Map<number, GraphNode>();
  for (const n of nodes as GraphNode[]) byId.set(n.id, n);
  const name = (id: number | undefined) => (id === undefined ? undefined : byId.get(id)?.name);
  for (const job of byId.values()) {
    if (job.type !== 'block-job') continue;
    const found = ends(edges as GraphEdge[], job.id);
    if (!found) continue;
    const named = { source: name(found.source), target: name(found.target) };
    if (named.source === undefined && named.target === undefined) continue;
    out.set(job.name, named);
  }
  return out;
}

export { useRequestFocusNode } from '../block-graph/focus-node.ts';
