// Model + positions + the view's choices (device filter, search, selection) → React Flow's nodes
// and edges. Pure, so it is cheap to re-run on every refresh and easy to test. Given the previous
// result, it returns the very same node and edge objects where nothing shown changed, so React
// Flow and the memoised cards redo only what did (a job tick redraws the job's card alone).
import type { BlockGraphModel, GraphNode } from '../model/types.ts';
import type { Positions } from '../layout/layout-input.ts';
import { nodeSize } from '../layout/node-size.ts';
import type { NodeNote } from '../node-notes.ts';
import type { BlockFlowNode, PermFlowEdge } from './flow-types.ts';

export interface ViewChoices {
  /** Model id of a device whose subtree alone is shown, or null for everything. */
  device: string | null;
  search: string;
  selected: string | null;
}

export function matchesSearch(node: GraphNode, search: string): boolean {
  const needle = search.trim().toLowerCase();
  if (!needle) return true;
  return [node.name, node.label, node.fileName ?? '', node.driver ?? ''].some((text) =>
    text.toLowerCase().includes(needle),
  );
}

/** Ids shown under a device filter: its subtree, plus jobs and exports touching that subtree. */
export function visibleIds(model: BlockGraphModel, device: string | null): Set<string> {
  if (!device) return new Set(model.byId.keys());
  const shown = new Set(model.nodes.filter((n) => n.devices.includes(device)).map((n) => n.id));
  for (const edge of model.edges) {
    const parent = model.byId.get(edge.source);
    if (shown.has(edge.target) && parent && parent.kind !== 'device') shown.add(edge.source);
  }
  // A job on this device also shows where it writes: its target and the target's own nodes.
  const children = new Map<string, string[]>();
  for (const e of model.edges) {
    const list = children.get(e.source);
    if (list) list.push(e.target);
    else children.set(e.source, [e.target]);
  }
  const stack = model.edges
    .filter((e) => e.source.startsWith('job:') && shown.has(e.source))
    .map((e) => e.target);
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (!shown.has(id)) {
      shown.add(id);
      stack.push(...(children.get(id) ?? []));
    }
  }
  for (const node of model.nodes) {
    if (node.kind === 'backend' && node.jobs.some((j) => shown.has(`job:${j}`))) shown.add(node.id);
  }
  return shown;
}

export interface FlowElements {
  nodes: BlockFlowNode[];
  edges: PermFlowEdge[];
}

export function flowElements(
  model: BlockGraphModel,
  positions: Positions,
  choices: ViewChoices,
  notes?: ReadonlyMap<string, NodeNote>,
  previous?: FlowElements,
): FlowElements {
  const visible = visibleIds(model, choices.device);
  const searching = choices.search.trim() !== '';
  const oldNodes = new Map(previous?.nodes.map((n) => [n.id, n]));
  const nodes: BlockFlowNode[] = [];
  for (const node of model.nodes) {
    const position = positions[node.id];
    if (!position || !visible.has(node.id)) continue;
    const selected = node.id === choices.selected;
    const dimmed = searching && !matchesSearch(node, choices.search);
    const note = notes?.get(node.id);
    const old = oldNodes.get(node.id);
    if (
      old &&
      old.data.node === node &&
      old.position === position &&
      old.selected === selected &&
      old.data.dimmed === dimmed &&
      old.data.note === note
    ) {
      nodes.push(old);
      continue;
    }
    nodes.push({
      id: node.id,
      type: node.kind,
      position,
      ...nodeSize(node.kind),
      selected,
      ariaLabel: `${node.kind} ${node.label}`,
      data: { node, dimmed, ...(note ? { note } : {}) },
    });
  }
  // Tab walks the picture as it reads: top to bottom, then left to right.
  nodes.sort((a, b) => a.position.y - b.position.y || a.position.x - b.position.x);
  const shown = new Set(nodes.map((n) => n.id));
  const dimmed = new Set(nodes.filter((n) => n.data.dimmed).map((n) => n.id));
  const oldEdges = new Map(previous?.edges.map((e) => [e.id, e]));
  const edges: PermFlowEdge[] = [];
  for (const edge of model.edges) {
    if (!shown.has(edge.source) || !shown.has(edge.target)) continue;
    const faded = dimmed.has(edge.source) || dimmed.has(edge.target);
    const old = oldEdges.get(edge.id);
    if (old?.data?.edge === edge && old.data.dimmed === faded) edges.push(old);
    else
      edges.push({
        id: edge.id,
        source: edge.source,
        target: edge.target,
        type: 'perm',
        data: { edge, dimmed: faded },
      });
  }
  return { nodes, edges };
}

/** flowElements with its previous result remembered, for a view that re-runs it on each change. */
export class FlowElementsMemo {
  private last: FlowElements | undefined;

  next(
    model: BlockGraphModel,
    positions: Positions,
    choices: ViewChoices,
    notes?: ReadonlyMap<string, NodeNote>,
  ): FlowElements {
    this.last = flowElements(model, positions, choices, notes, this.last);
    return this.last;
  }
}

/**
 * The toolbar's count: the nodes shown (of all, under a device filter), and how many of them a
 * search matches.
 */
export function shownCount(
  model: BlockGraphModel,
  shown: ReadonlySet<string>,
  search: string,
): string {
  const total = model.nodes.length;
  let text = shown.size === total ? `${total} nodes` : `${shown.size} of ${total} nodes`;
  if (search.trim()) {
    const hits = model.nodes.filter((n) => shown.has(n.id) && matchesSearch(n, search)).length;
    text += ` · ${hits === 0 ? 'no' : hits} match${hits === 1 ? '' : 'es'}`;
  }
  return text;
}
