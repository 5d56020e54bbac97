// A job's source and target nodes, from `x-debug-query-block-graph` (qmp-domain.md §3.2):
// the job is a node of type `block-job` named by its id, with edges `source` and `target` to
// block-driver nodes. Node ids are per-call, so only names leave this function.

export interface JobEnds {
  source: string | undefined;
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

/**
 * Job id → its source/target node names; jobs without such edges (create) are absent.
 * A backup job has no `source` edge: its `main node` is the copy-before-write filter, whose
 * `file` child is the source (block-graph-during-backup.json).
 */
export function jobEndsFromGraph(graph: unknown): Map<string, JobEnds> {
  const out = new Map<string, JobEnds>();
  if (typeof graph !== 'object' || graph === null) return out;
  const { nodes, edges } = graph as { nodes?: unknown; edges?: unknown };
  if (!Array.isArray(nodes) || !Array.isArray(edges)) return out;
  const byId = new Map<number, GraphNode>();
  for (const n of nodes as GraphNode[]) byId.set(n.id, n);
  const childOf = (parent: number, names: string[]) =>
    (edges as GraphEdge[]).find((e) => e.parent === parent && names.includes(e.name));
  for (const job of byId.values()) {
    if (job.type !== 'block-job') continue;
    let source = childOf(job.id, ['source'])?.child;
    const target = childOf(job.id, ['target'])?.child;
    const filter = childOf(job.id, ['main node'])?.child;
    if (source === undefined && filter !== undefined) {
      source = childOf(filter, ['file', 'backing'])?.child;
    }
    if (source === undefined && target === undefined) continue;
    out.set(job.name, {
      source: source === undefined ? undefined : byId.get(source)?.name,
      target: target === undefined ? undefined : byId.get(target)?.name,
    });
  }
  return out;
}

export { FOCUS_NODE_EVENT, requestFocusNode } from '../block-graph/focus-node.ts';
