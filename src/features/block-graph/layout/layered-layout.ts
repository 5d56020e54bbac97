// Blockscope's own layered ("Sugiyama") layout, top to bottom: guest devices in the top row, each
// backing chain a straight column below its device, independent devices side by side. Pure,
// synchronous and deterministic: the same nodes and edges (in any order) give the same positions.
// Steps: layering.ts (rows), ordering.ts (order within rows), placement.ts (x), then the rows'
// y here and pack-components.ts for the parts. Edges longer than one row get a thin placeholder
// in every row they pass, so they are routed round the nodes in between.
import { acyclicDag, assignLayers } from './layering.ts';
import { reduceCrossings, type Proper } from './ordering.ts';
import { packComponents } from './pack-components.ts';
import { placeHorizontally } from './placement.ts';

export interface LayoutInput {
  nodes: readonly { id: string; width: number; height: number; top?: boolean }[];
  edges: readonly { source: string; target: string }[];
}

export type Positions = Record<string, { x: number; y: number }>;

export interface LayoutResult {
  /** Top-left corner of each node. */
  positions: Positions;
  width: number;
  height: number;
  /** Edge crossings left (long edges counted along their placeholders). */
  crossings: number;
}

export const NODE_GAP = 28;
export const LAYER_GAP = 56;
const PLACEHOLDER_WIDTH = 16;
const PLACEHOLDER_GAP = 12;

interface Part {
  members: number[];
  edges: [number, number][];
}

/** Connected components by union-find, each with its members in index order. */
function components(n: number, edges: readonly [number, number][]): Part[] {
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const find = (v: number) => {
    let r = v;
    while (parent[r] !== r) r = parent[r]!;
    while (parent[v] !== r) [v, parent[v]] = [parent[v]!, r];
    return r;
  };
  for (const [s, t] of edges) {
    const a = find(s);
    const b = find(t);
    if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
  }
  const byRoot = new Map<number, Part>();
  const local = new Int32Array(n);
  for (let v = 0; v < n; v++) {
    const r = find(v);
    let part = byRoot.get(r);
    if (!part) byRoot.set(r, (part = { members: [], edges: [] }));
    local[v] = part.members.length;
    part.members.push(v);
  }
  for (const [s, t] of edges) byRoot.get(find(s))!.edges.push([local[s]!, local[t]!]);
  return [...byRoot.values()];
}

interface Sized {
  width: number;
  height: number;
  top: boolean;
}

function layoutPart(nodes: readonly Sized[], edges: [number, number][]) {
  const n = nodes.length;
  const dag = acyclicDag(n, edges);
  const layer = assignLayers(dag, (v) => nodes[v]!.top);
  // The properly layered graph: real vertices 0…n-1, then placeholders.
  const up: number[][] = Array.from({ length: n }, () => []);
  const down: number[][] = Array.from({ length: n }, () => []);
  const layerOf = [...layer];
  const link = (a: number, b: number) => {
    down[a]!.push(b);
    up[b]!.push(a);
  };
  for (let s = 0; s < n; s++) {
    for (const t of dag.out[s]!) {
      let from = s;
      for (let k = layer[s]! + 1; k < layer[t]!; k++) {
        const placeholder = up.length;
        up.push([]);
        down.push([]);
        layerOf.push(k);
        link(from, placeholder);
        from = placeholder;
      }
      link(from, t);
    }
  }
  const vertices = up.length;
  let depth = 0;
  for (const k of layerOf) depth = Math.max(depth, k + 1);
  const layers: number[][] = Array.from({ length: depth }, () => []);
  for (let v = 0; v < vertices; v++) layers[layerOf[v]!]!.push(v);
  const proper: Proper = { layers, up, down };
  const crossings = reduceCrossings(proper, vertices);
  const real = (v: number) => v < n;
  const width = (v: number) => (real(v) ? nodes[v]!.width : PLACEHOLDER_WIDTH);
  const x = placeHorizontally({
    proper,
    vertices,
    width,
    gap: (a, b) => (real(a) && real(b) ? NODE_GAP : PLACEHOLDER_GAP),
  });
  const rowTop: number[] = [];
  let y = 0;
  for (const row of layers) {
    rowTop.push(y);
    let tallest = 0;
    for (const v of row) if (real(v)) tallest = Math.max(tallest, nodes[v]!.height);
    y += tallest + LAYER_GAP;
  }
  let minX = Infinity;
  let maxX = -Infinity;
  for (let v = 0; v < vertices; v++) {
    minX = Math.min(minX, x[v]! - width(v) / 2);
    maxX = Math.max(maxX, x[v]! + width(v) / 2);
  }
  const at = nodes.map((node, v) => ({ x: x[v]! - node.width / 2 - minX, y: rowTop[layer[v]!]! }));
  return { at, width: maxX - minX, height: y - LAYER_GAP, crossings };
}

export function layoutGraph(input: LayoutInput): LayoutResult {
  const nodes = [...input.nodes].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const index = new Map(nodes.map((node, i) => [node.id, i]));
  const edges: [number, number][] = [];
  for (const e of input.edges) {
    const s = index.get(e.source);
    const t = index.get(e.target);
    if (s !== undefined && t !== undefined) edges.push([s, t]);
  }
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const parts = components(nodes.length, edges).map((part) => ({
    part,
    ...layoutPart(
      part.members.map((v) => ({ ...nodes[v]!, top: nodes[v]!.top ?? false })),
      part.edges,
    ),
  }));
  const packed = packComponents(parts);
  const positions: Positions = {};
  let crossings = 0;
  parts.forEach(({ part, at }, i) => {
    const corner = packed.at[i]!;
    part.members.forEach((v, j) => {
      positions[nodes[v]!.id] = { x: corner.x + at[j]!.x, y: corner.y + at[j]!.y };
    });
    crossings += parts[i]!.crossings;
  });
  return { positions, width: packed.width, height: packed.height, crossings };
}
