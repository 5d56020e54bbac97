// Step three: x coordinates. In the manner of Brandes and Köpf, each node is first aligned with
// one neighbour in the layer above into vertical blocks that are drawn as straight columns — a
// node prefers its parent that continues the longest path upwards, and a parent the child that
// continues the longest path downwards, so a backing chain is one straight column and its files
// hang beside it. The blocks are then packed as far left as the layer order allows, and as far
// right, and the two packings averaged (both keep every gap, so their mean does too).
import type { Proper } from './ordering.ts';

export interface PlacementInput {
  proper: Proper;
  vertices: number;
  width: (v: number) => number;
  /** Least horizontal gap between two neighbours in a layer. */
  gap: (a: number, b: number) => number;
}

function longestPaths(p: Proper, vertices: number) {
  const above = new Int32Array(vertices);
  const below = new Int32Array(vertices);
  for (const layer of p.layers)
    for (const v of layer) for (const u of p.up[v]!) above[v] = Math.max(above[v]!, above[u]! + 1);
  for (let k = p.layers.length - 1; k >= 0; k--)
    for (const v of p.layers[k]!)
      for (const w of p.down[v]!) below[v] = Math.max(below[v]!, below[w]! + 1);
  return { above, below };
}

/** The root (top vertex) of each vertex's block. */
function alignBlocks(p: Proper, vertices: number, pos: Int32Array): Int32Array {
  const { above, below } = longestPaths(p, vertices);
  const root = new Int32Array(vertices);
  for (let v = 0; v < vertices; v++) root[v] = v;
  for (let k = 1; k < p.layers.length; k++) {
    // Each child's preferred parent, then each parent's preferred child among those.
    const chosen = new Map<number, number>();
    for (const v of p.layers[k]!) {
      const ups = p.up[v]!;
      if (ups.length === 0) continue;
      const median = ups.reduce((s, u) => s + pos[u]!, 0) / ups.length;
      let best = ups[0]!;
      for (const u of ups) {
        const better =
          above[u]! > above[best]! ||
          (above[u] === above[best] && Math.abs(pos[u]! - median) < Math.abs(pos[best]! - median));
        if (better) best = u;
      }
      const rival = chosen.get(best);
      if (rival === undefined || below[v]! > below[rival]!) chosen.set(best, v);
    }
    const pairs = [...chosen].sort((a, b) => pos[a[1]]! - pos[b[1]]!);
    let lastUpper = -1;
    for (const [u, v] of pairs) {
      if (pos[u]! <= lastUpper) continue; // would cross an alignment already made
      lastUpper = pos[u]!;
      root[v] = root[u]!;
    }
  }
  return root;
}

/** Centre x of every vertex. */
export function placeHorizontally({
  proper: p,
  vertices,
  width,
  gap,
}: PlacementInput): Float64Array {
  const pos = new Int32Array(vertices);
  p.layers.forEach((layer) => layer.forEach((v, i) => (pos[v] = i)));
  const root = alignBlocks(p, vertices, pos);
  // Separation constraints between the blocks of neighbours in a layer: right − left ≥ sep.
  const right: { to: number; sep: number }[][] = Array.from({ length: vertices }, () => []);
  const left: { to: number; sep: number }[][] = Array.from({ length: vertices }, () => []);
  for (const layer of p.layers) {
    for (let i = 1; i < layer.length; i++) {
      const a = layer[i - 1]!;
      const b = layer[i]!;
      const sep = (width(a) + width(b)) / 2 + gap(a, b);
      right[root[a]!]!.push({ to: root[b]!, sep });
      left[root[b]!]!.push({ to: root[a]!, sep });
    }
  }
  const blocks: number[] = [];
  for (let v = 0; v < vertices; v++) if (root[v] === v) blocks.push(v);
  const order = topological(blocks, right, left);
  const xl = new Float64Array(vertices);
  for (const b of order)
    for (const { to, sep } of right[b]!) xl[to] = Math.max(xl[to]!, xl[b]! + sep);
  const xr = new Float64Array(vertices);
  for (let i = order.length - 1; i >= 0; i--) {
    const b = order[i]!;
    for (const { to, sep } of left[b]!) xr[to] = Math.min(xr[to]!, xr[b]! - sep);
  }
  let minR = Infinity;
  for (const b of blocks) minR = Math.min(minR, xr[b]!);
  const x = new Float64Array(vertices);
  for (let v = 0; v < vertices; v++) {
    const b = root[v]!;
    x[v] = (xl[b]! + xr[b]! - minR) / 2;
  }
  return x;
}

function topological(
  blocks: number[],
  right: { to: number }[][],
  left: { to: number }[][],
): number[] {
  const remaining = new Map<number, number>();
  for (const b of blocks) remaining.set(b, left[b]!.length);
  const order = blocks.filter((b) => remaining.get(b) === 0);
  for (let i = 0; i < order.length; i++) {
    for (const { to } of right[order[i]!]!) {
      const r = remaining.get(to)! - 1;
      remaining.set(to, r);
      if (r === 0) order.push(to);
    }
  }
  return order;
}
