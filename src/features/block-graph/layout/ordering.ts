// Step two: the order of the nodes within each layer, chosen to reduce edge crossings by
// barycenter sweeps (each node placed at the mean position of its neighbours in the layer just
// swept), keeping the best order seen. Crossings are counted exactly with a Fenwick tree
// (Barth, Jünger and Mutzel's bilayer counting), O(E log V) per pair of layers; then neighbours
// are swapped where that removes crossings.

/** A properly layered graph: every edge joins layer k to layer k + 1. */
export interface Proper {
  layers: number[][];
  /** Neighbours in the layer above / below, per vertex. */
  up: number[][];
  down: number[][];
}

/** Crossings between layer `k` and layer `k + 1` for the positions in `pos`. */
function crossingsBetween(p: Proper, k: number, pos: Int32Array): number {
  const upper = p.layers[k]!;
  const lowerSize = p.layers[k + 1]!.length;
  const ends: number[] = [];
  for (const u of upper) {
    const targets = p.down[u]!.map((w) => pos[w]!).sort((a, b) => a - b);
    for (const t of targets) ends.push(t);
  }
  // Upper ends are in order already (upper walked by position); count inversions of lower ends.
  const tree = new Int32Array(lowerSize + 1);
  let crossings = 0;
  for (let i = 0; i < ends.length; i++) {
    let greater = i;
    for (let j = ends[i]! + 1; j > 0; j -= j & -j) greater -= tree[j]!;
    crossings += greater;
    for (let j = ends[i]! + 1; j <= lowerSize; j += j & -j) tree[j]! += 1;
  }
  return crossings;
}

export function countCrossings(p: Proper, pos: Int32Array): number {
  let total = 0;
  for (let k = 0; k + 1 < p.layers.length; k++) total += crossingsBetween(p, k, pos);
  return total;
}

function sortByBarycenter(
  layer: number[],
  neighbours: number[][],
  pos: Int32Array,
  tiesFlipped: boolean,
): void {
  const key = new Map<number, number>();
  for (const v of layer) {
    const ns = neighbours[v]!;
    if (ns.length === 0) {
      key.set(v, pos[v]!);
      continue;
    }
    let sum = 0;
    for (const w of ns) sum += pos[w]!;
    key.set(v, sum / ns.length);
  }
  // Ties keep the current order, or (every other pair of sweeps) swap it: a tie can hide a
  // crossing that only the other order avoids, and the best order seen is kept either way.
  const tie = tiesFlipped ? -1 : 1;
  layer.sort((a, b) => key.get(a)! - key.get(b)! || tie * (pos[a]! - pos[b]!));
  layer.forEach((v, i) => (pos[v] = i));
}

/** Crossings among the edges from u and from v (u left of v) to one adjacent layer. */
function pairCrossings(u: number, v: number, neighbours: number[][], pos: Int32Array): number {
  let count = 0;
  for (const a of neighbours[u]!) for (const b of neighbours[v]!) if (pos[a]! > pos[b]!) count++;
  return count;
}

/**
 * Swaps neighbours in a layer while that removes crossings (the "transpose" step of dot's
 * ordering). It settles what barycenters leave tied, e.g. two nodes with the same mean.
 */
function transpose(p: Proper, pos: Int32Array, maxPasses = 4): void {
  for (let pass = 0, improved = true; improved && pass < maxPasses; pass++) {
    improved = false;
    for (const layer of p.layers) {
      for (let i = 0; i + 1 < layer.length; i++) {
        const u = layer[i]!;
        const v = layer[i + 1]!;
        const now = pairCrossings(u, v, p.up, pos) + pairCrossings(u, v, p.down, pos);
        const swapped = pairCrossings(v, u, p.up, pos) + pairCrossings(v, u, p.down, pos);
        if (swapped >= now) continue;
        layer[i] = v;
        layer[i + 1] = u;
        pos[u] = i + 1;
        pos[v] = i;
        improved = true;
      }
    }
  }
}

/**
 * Orders every layer in place and returns the crossings left. `vertices` is the total vertex
 * count; the layers' initial order is the starting point (and the answer if nothing beats it).
 */
export function reduceCrossings(p: Proper, vertices: number, maxSweeps = 12): number {
  const pos = new Int32Array(vertices);
  const place = () => p.layers.forEach((layer) => layer.forEach((v, i) => (pos[v] = i)));
  place();
  let best = p.layers.map((layer) => [...layer]);
  let bestCrossings = countCrossings(p, pos);
  let stale = 0;
  for (let sweep = 0; sweep < maxSweeps && bestCrossings > 0 && stale < 4; sweep++) {
    const flipped = sweep % 4 >= 2;
    if (sweep % 2 === 0)
      for (let k = 1; k < p.layers.length; k++) sortByBarycenter(p.layers[k]!, p.up, pos, flipped);
    else
      for (let k = p.layers.length - 2; k >= 0; k--)
        sortByBarycenter(p.layers[k]!, p.down, pos, flipped);
    const crossings = countCrossings(p, pos);
    if (crossings < bestCrossings) {
      bestCrossings = crossings;
      best = p.layers.map((layer) => [...layer]);
      stale = 0;
    } else stale++;
  }
  best.forEach((layer, k) => (p.layers[k] = layer));
  if (bestCrossings === 0) return 0;
  place();
  transpose(p, pos);
  return countCrossings(p, pos);
}
