// Model + positions + the view's choices (device filter, search, selection) → React Flow's nodes
// and edges. Pure, so it is cheap to re-run on every refresh and easy to test.
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
  for (const e of model.edges)
    children.set(e.source, [...(children.get(e.source) ?? []), e.target]);
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

export function flowElements(
  model: BlockGraphModel,
  positions: Positions,
  choices: ViewChoices,
  notes?: ReadonlyMap<string, NodeNote>,
): { nodes: BlockFlowNode[]; edges: PermFlowEdge[] } {
  const visible = visibleIds(model, choices.device);
  const searching = choices.search.trim() !== '';
  const nodes: BlockFlowNode[] = [];
  for (const node of model.nodes) {
    const position = positions[node.id];
    if (!position || !visible.has(node.id)) continue;
    nodes.push({
      id: node.id,
      type: node.kind,
      position,
      ...nodeSize(node.kind),
      selected: node.id === choices.selected,
      data: {
        node,
        dimmed: searching && !matchesSearch(node, choices.search),
        ...(notes?.has(node.id) ? { note: notes.get(node.id)! } : {}),
      },
    });
  }
  const shown = new Set(nodes.map((n) => n.id));
  const dimmed = new Set(nodes.filter((n) => n.data.dimmed).map((n) => n.id));
  const edges: PermFlowEdge[] = model.edges
    .filter((e) => shown.has(e.source) && shown.has(e.target))
    .map((edge) => ({
      id: edge.id,
      source: edge.source,
      target: edge.target,
      type: 'perm',
      data: { edge, dimmed: dimmed.has(edge.source) || dimmed.has(edge.target) },
    }));
  return { nodes, edges };
}
