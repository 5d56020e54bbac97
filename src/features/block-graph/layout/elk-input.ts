// Turns the model into an ELK graph: layered, top to bottom, guest devices in the first layer and
// protocol nodes in the last, so a backing chain reads downwards from the disk the guest sees to
// the files on the host. Sizes here must match the rendered node cards (node-size.ts).
import type { ElkNode } from 'elkjs/lib/elk-api.js';
import type { BlockGraphModel } from '../model/types.ts';
import { CHAIN_GAP, chainGroups } from './compress-chains.ts';
import { nodeSize } from './node-size.ts';

/**
 * Above this many nodes the layout trades polish for time: leaf protocol nodes ride beside their
 * format node instead of being laid out (attachedLeaves), and one sweep of crossing
 * minimisation is enough for chains that barely cross. On a generated 1,000-node graph this halved ELK's CPU time in Node (cold, ~2.5 s → ~1.3 s
 * on a loaded 2-core machine; ~0.3 s once ELK's code is warm).
 */
const LARGE_GRAPH = 300;
const LARGE_GRAPH_OPTIONS = {
  'elk.layered.thoroughness': '1',
  'elk.layered.considerModelOrder.strategy': 'NONE',
};

const ROOT_OPTIONS = {
  'elk.algorithm': 'layered',
  'elk.direction': 'DOWN',
  'elk.spacing.nodeNode': '28',
  'elk.layered.spacing.nodeNodeBetweenLayers': '56',
  'elk.spacing.componentComponent': '48',
  'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
  'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
  'elk.separateConnectedComponents': 'true',
  'elk.edgeRouting': 'POLYLINE',
};

/**
 * In large graphs each leaf protocol node (a file under its format node) rides beside its parent
 * instead of being laid out: the parent is reserved double width and ELK sees half the nodes.
 */
function attachedLeaves(model: Pick<BlockGraphModel, 'nodes' | 'edges'>): Map<string, string> {
  const kind = new Map(model.nodes.map((n) => [n.id, n.kind]));
  const parents = new Map<string, string[]>();
  const hasChildren = new Set<string>();
  for (const e of model.edges) {
    hasChildren.add(e.source);
    parents.set(e.target, [...(parents.get(e.target) ?? []), e.source]);
  }
  const attached = new Map<string, string>();
  const taken = new Set<string>();
  for (const node of model.nodes) {
    const only = parents.get(node.id);
    if (node.kind !== 'protocol' || hasChildren.has(node.id) || only?.length !== 1) continue;
    const parent = only[0]!;
    if (taken.has(parent) || (kind.get(parent) !== 'format' && kind.get(parent) !== 'filter'))
      continue;
    taken.add(parent);
    attached.set(node.id, parent);
  }
  return attached;
}

const SIDE_GAP = 16;

interface Plan {
  large: boolean;
  attached: Map<string, string>;
  groups: Map<string, string[]>;
  groupOf: Map<string, string>;
  sizeOf: (id: string) => { width: number; height: number };
}

/** What ELK is given for this model: which nodes ride beside others or are folded into chains. */
function plan(model: Pick<BlockGraphModel, 'nodes' | 'edges'>): Plan {
  const large = model.nodes.length > LARGE_GRAPH;
  const kind = new Map(model.nodes.map((n) => [n.id, n.kind]));
  const attached = large ? attachedLeaves(model) : new Map<string, string>();
  const carriers = new Set(attached.values());
  const sizeOf = (id: string) => {
    const size = nodeSize(kind.get(id) ?? 'format');
    if (carriers.has(id)) size.width = 2 * size.width + SIDE_GAP;
    return size;
  };
  const groups = large
    ? chainGroups({
        ids: model.nodes.map((n) => n.id).filter((id) => !attached.has(id)),
        kindOf: (id) => kind.get(id) ?? 'format',
        edges: model.edges,
      })
    : new Map<string, string[]>();
  const groupOf = new Map<string, string>();
  for (const [group, members] of groups) for (const id of members) groupOf.set(id, group);
  return { large, attached, groups, groupOf, sizeOf };
}

export function toElkGraph(model: Pick<BlockGraphModel, 'nodes' | 'edges'>): ElkNode {
  const { large, attached, groups, groupOf, sizeOf } = plan(model);
  // Sorting by id keeps ELK's model order, and so the picture, independent of QEMU's list order.
  const nodes = [...model.nodes]
    .filter((n) => !attached.has(n.id) && !groupOf.has(n.id))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const children: ElkNode[] = nodes.map((node) => {
    const constraint =
      node.kind === 'device' ? 'FIRST' : node.kind === 'protocol' && !large ? 'LAST' : undefined;
    return {
      id: node.id,
      ...sizeOf(node.id),
      ...(constraint
        ? { layoutOptions: { 'elk.layered.layering.layerConstraint': constraint } }
        : {}),
    };
  });
  for (const [group, members] of groups) {
    const sizes = members.map(sizeOf);
    children.push({
      id: group,
      width: Math.max(...sizes.map((s) => s.width)),
      height: sizes.reduce((sum, s) => sum + s.height, 0) + CHAIN_GAP * (members.length - 1),
    });
  }
  const outer = (id: string) => groupOf.get(id) ?? id;
  return {
    id: 'root',
    layoutOptions: large ? { ...ROOT_OPTIONS, ...LARGE_GRAPH_OPTIONS } : ROOT_OPTIONS,
    children,
    edges: model.edges
      .filter((e) => !attached.has(e.target) && outer(e.source) !== outer(e.target))
      .map((edge) => ({
        id: edge.id,
        sources: [outer(edge.source)],
        targets: [outer(edge.target)],
      })),
  };
}

export type Positions = Record<string, { x: number; y: number }>;

export function positionsOf(
  laidOut: ElkNode,
  model: Pick<BlockGraphModel, 'nodes' | 'edges'>,
): Positions {
  const { attached, groups, sizeOf } = plan(model);
  const positions: Positions = {};
  for (const child of laidOut.children ?? []) {
    const at = { x: child.x ?? 0, y: child.y ?? 0 };
    const members = groups.get(child.id);
    if (!members) {
      positions[child.id] = at;
      continue;
    }
    // Unfold a chain into a column, top of the run first.
    let y = at.y;
    for (const id of members) {
      positions[id] = { x: at.x, y };
      y += sizeOf(id).height + CHAIN_GAP;
    }
  }
  for (const [leaf, parent] of attached) {
    const at = positions[parent];
    if (!at) continue;
    const lift = (sizeOf(parent).height - nodeSize('protocol').height) / 2;
    positions[leaf] = { x: at.x + nodeSize('protocol').width + SIDE_GAP, y: at.y + lift };
  }
  return positions;
}

/** Anything with ELK's `layout` method: elk-api over a worker in the page, elk.bundled in Node. */
export interface ElkLike {
  layout(graph: ElkNode): Promise<ElkNode>;
}

/** The whole layout step, pure and async: model in, top-left position per node id out. */
export async function layoutModel(
  elk: ElkLike,
  model: Pick<BlockGraphModel, 'nodes' | 'edges'>,
): Promise<Positions> {
  return positionsOf(await elk.layout(toElkGraph(model)), model);
}
