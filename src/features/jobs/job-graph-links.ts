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

/** Job id → its source/target node names; jobs without such edges (create) are absent. */
export function jobEndsFromGraph(graph: unknown): Map<string, JobEnds> {
  const out = new Map<string, JobEnds>();
  if (typeof graph !== 'object' || graph === null) return out;
  const { nodes, edges } = graph as { nodes?: unknown; edges?: unknown };
  if (!Array.isArray(nodes) || !Array.isArray(edges)) return out;
  const byId = new Map<number, GraphNode>();
  for (const n of nodes as GraphNode[]) byId.set(n.id, n);
  for (const e of edges as GraphEdge[]) {
    if (e.name !== 'source' && e.name !== 'target') continue;
    const parent = byId.get(e.parent);
    const child = byId.get(e.child);
    if (!parent || parent.type !== 'block-job' || !child) continue;
    const ends = out.get(parent.name) ?? { source: undefined, target: undefined };
    ends[e.name] = child.name;
    out.set(parent.name, ends);
  }
  return out;
}

/**
 * Asks the graph view to select a node. The graph feature listens for this DOM event; until it
 * does, the link is harmless.
 */
export const FOCUS_NODE_EVENT = 'blockscope:focus-node';

export function requestFocusNode(nodeName: string): void {
  window.dispatchEvent(new CustomEvent(FOCUS_NODE_EVENT, { detail: { nodeName } }));
}
