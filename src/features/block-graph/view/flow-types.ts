// The React Flow node and edge types of the graph: `data` holds the model's node or edge (display
// fields and ids, never callbacks) plus how the view currently shows it.
import type { Edge, Node } from '@xyflow/react';
import type { GraphEdge, GraphNode } from '../model/types.ts';
import type { NodeNote } from '../node-notes.ts';

export interface BlockNodeData extends Record<string, unknown> {
  node: GraphNode;
  /** Dimmed when a search is active and this node does not match. */
  dimmed: boolean;
  /** A note from outside the block layer (node-notes.ts), shown as the first badge. */
  note?: NodeNote;
}

export type BlockFlowNode = Node<BlockNodeData>;

export interface PermEdgeData extends Record<string, unknown> {
  edge: GraphEdge;
  dimmed: boolean;
}

export type PermFlowEdge = Edge<PermEdgeData, 'perm'>;
