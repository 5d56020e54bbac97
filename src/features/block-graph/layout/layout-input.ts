// The layout step as the view sees it: the model becomes a LayoutInput (each node with its card's
// size, guest devices pinned to the top row) and an engine turns that into positions — the
// worker in the page (layout-client.ts), the same function in-process in Node.
import type { BlockGraphModel } from '../model/types.ts';
import { layoutGraph, type LayoutInput, type Positions } from './layered-layout.ts';
import { nodeSize } from './node-size.ts';

export type { Positions } from './layered-layout.ts';

export interface LayoutEngine {
  layout(input: LayoutInput): Promise<Positions>;
}

/** The layout in the calling thread (tests, the bench). */
export const inlineLayoutEngine: LayoutEngine = {
  layout: (input) => Promise.resolve(layoutGraph(input).positions),
};

export function toLayoutInput(model: Pick<BlockGraphModel, 'nodes' | 'edges'>): LayoutInput {
  return {
    nodes: model.nodes.map((node) => ({
      id: node.id,
      ...nodeSize(node.kind),
      ...(node.kind === 'device' ? { top: true } : {}),
    })),
    edges: model.edges.map((edge) => ({ source: edge.source, target: edge.target })),
  };
}

/** The whole layout step, pure and async: model in, top-left position per node id out. */
export function layoutModel(
  engine: LayoutEngine,
  model: Pick<BlockGraphModel, 'nodes' | 'edges'>,
): Promise<Positions> {
  return engine.layout(toLayoutInput(model));
}
