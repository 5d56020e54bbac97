// Questions plans ask about the live graph: who are a node's parents, is it a root, which device
// sits on it, what is its backing chain. Answered from x-debug-query-block-graph because flat
// query-named-block-nodes carries no child names on 7.2 (qmp-domain.md §3.3).
import type { BlockInfo, GraphEdge, GraphNode, LiveState, NamedNode } from './live-state.ts';

export interface Parent {
  node: GraphNode;
  edge: GraphEdge;
}

export function findNode(live: LiveState, name: string): NamedNode | undefined {
  return live.nodes.find((n) => n['node-name'] === name);
}

function graphDriver(live: LiveState, name: string): GraphNode | undefined {
  return live.graph.nodes.find((n) => n.type === 'block-driver' && n.name === name);
}

export function parentsOf(live: LiveState, name: string): Parent[] {
  const node = graphDriver(live, name);
  if (!node) return [];
  const parents: Parent[] = [];
  for (const edge of live.graph.edges) {
    if (edge.child !== node.id) continue;
    const parent = live.graph.nodes.find((n) => n.id === edge.parent);
    if (parent) parents.push({ node: parent, edge });
  }
  return parents;
}

/** The named children of a block-driver node, by child role (`file`, `backing`, ...). */
export function childrenOf(live: LiveState, name: string): Map<string, string> {
  const node = graphDriver(live, name);
  const children = new Map<string, string>();
  if (!node) return children;
  for (const edge of live.graph.edges) {
    if (edge.parent !== node.id) continue;
    const child = live.graph.nodes.find((n) => n.id === edge.child);
    if (child) children.set(edge.name, child.name);
  }
  return children;
}

/** The node and every block-driver node below it (file, backing, any child), nearest first. */
export function descendants(live: LiveState, name: string): string[] {
  const found = [name];
  for (let i = 0; i < found.length; i++) {
    for (const child of childrenOf(live, found[i] ?? '').values()) {
      if (!found.includes(child)) found.push(child);
    }
  }
  return found;
}

/** Block-driver parents only: what makes a node "not a root" for mirror, backup and commit. */
export function driverParents(live: LiveState, name: string): Parent[] {
  return parentsOf(live, name).filter((p) => p.node.type === 'block-driver');
}

export function isRootNode(live: LiveState, name: string): boolean {
  return driverParents(live, name).length === 0;
}

/** Follows block-driver parents upwards to the node a job must name instead. */
export function topmostAbove(live: LiveState, name: string): string {
  let current = name;
  for (let hops = 0; hops < 1000; hops++) {
    const up = driverParents(live, current)[0];
    if (!up) return current;
    current = up.node.name;
  }
  return current;
}

export { FILTER_DRIVERS, throttleGroupOf } from '../../../block-layer/drivers.ts';
import { isFilterDriver } from '../../../block-layer/drivers.ts';

/**
 * The backing chain from `name` downwards: [name, its backing, its backing's backing, ...].
 * Filters on the way are followed through their `file` child and included.
 */
export function backingChain(live: LiveState, name: string): string[] {
  const chain = [name];
  const below = (n: string) => {
    const children = childrenOf(live, n);
    const isFilter = isFilterDriver(findNode(live, n)?.drv);
    return children.get('backing') ?? (isFilter ? children.get('file') : undefined);
  };
  for (let next = below(name); next; next = below(next)) {
    if (chain.includes(next)) break;
    chain.push(next);
  }
  return chain;
}

/** The guest device whose BlockBackend has `name` as its root child, if any. */
export function deviceOf(live: LiveState, name: string): BlockInfo | undefined {
  const backend = parentsOf(live, name).find(
    (p) => p.node.type === 'block-backend' && p.edge.name === 'root' && p.node.name !== '',
  );
  if (!backend) return undefined;
  return live.blocks.find((b) => b.qdev === backend.node.name || b.device === backend.node.name);
}

/** Filenames of images QEMU has open, so a new target never lands on one of them. */
export function openFilenames(live: LiveState): Map<string, string> {
  const files = new Map<string, string>();
  for (const n of live.nodes) if (n.drv === 'file') files.set(n.file, n['node-name']);
  return files;
}
