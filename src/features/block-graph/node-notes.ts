// Notes beside graph nodes from outside the block layer, such as a libvirt guest's name for a disk
// (vda) and its source beside the device that serves it. Whoever knows them provides
// NodeNotesContext (the app shell, from the libvirt feature); the graph only shows them, as a
// badge on the card and rows in the node's details. Text only, never markup.
import { createContext } from 'react';
import type { BlockGraphModel } from './model/types.ts';

export interface NodeNote {
  /** Short text on the card, e.g. "vda". */
  badge: string;
  /** The badge's tooltip. */
  title: string;
  /** Rows for the details panel. */
  rows: { name: string; value: string }[];
}

/** Notes by model node id, for one model. */
export type NodeNotes = (model: BlockGraphModel) => ReadonlyMap<string, NodeNote>;

const NONE: ReadonlyMap<string, NodeNote> = new Map();

export const NO_NODE_NOTES: NodeNotes = () => NONE;

export const NodeNotesContext = createContext<NodeNotes>(NO_NODE_NOTES);
