// Turns the model into an ELK graph: layered, top to bottom, guest devices in the first layer and
// protocol nodes in the last, so a backing chain reads downwards from the disk the guest sees to
// the files on the host. Sizes here must match the rendered node cards (node-size.ts).
import type { ElkNode } from 'elkjs/lib/elk-api.js';
import type { BlockGraphModel } from '../model/types.ts';
import { nodeSize } from './node-size.ts';

/**
 * Above this many nodes the layout trades polish for time: protocol nodes stay beside their
 * format node (edges spanning many layers cost ELK dummy nodes) and one sweep of crossing
 * minimisation is enough for chains that barely cross. Measured: a 1,000-node graph went from
 * ~1.9 s to ~0.3–0.9 s in Node (see the benchmark suite for the figures on this machine).
 */
const LARGE_GRAPH = 300;
const LARGE_GRAPH_OPTIONS = {
  'elk.layered.thoroughness': '1',
  'elk.layered.nodePlacement.strategy': 'LINEAR_SEGMENTS',
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

export function toElkGraph(model: Pick<BlockGraphModel, 'nodes' | 'edges'>): ElkNode {
  const large = model.nodes.length > LARGE_GRAPH;
  // Sorting by id keeps ELK's model order, and so the picture, independent of QEMU's list order.
  const nodes = [...model.nodes].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return {
    id: 'root',
    layoutOptions: large ? { ...ROOT_OPTIONS, ...LARGE_GRAPH_OPTIONS } : ROOT_OPTIONS,
    children: nodes.map((node) => {
      const constraint =
        node.kind === 'device' ? 'FIRST' : node.kind === 'protocol' && !large ? 'LAST' : undefined;
      return {
        id: node.id,
        ...nodeSize(node.kind),
        ...(constraint
          ? { layoutOptions: { 'elk.layered.layering.layerConstraint': constraint } }
          : {}),
      };
    }),
    edges: model.edges.map((edge) => ({
      id: edge.id,
      sources: [edge.source],
      targets: [edge.target],
    })),
  };
}

export type Positions = Record<string, { x: number; y: number }>;

export function positionsOf(laidOut: ElkNode): Positions {
  const positions: Positions = {};
  for (const child of laidOut.children ?? [])
    positions[child.id] = { x: child.x ?? 0, y: child.y ?? 0 };
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
  return positionsOf(await elk.layout(toElkGraph(model)));
}
