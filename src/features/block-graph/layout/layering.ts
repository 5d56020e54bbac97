// Step one of the layered layout: make the graph acyclic and give every node a layer (a row).
// Everything here is iterative, so a backing chain of thousands of images cannot overflow the stack.

/** A directed graph over node indices 0…n-1 with adjacency both ways. */
export interface Dag {
  n: number;
  out: number[][];
  in: number[][];
}

/**
 * The graph with self-loops and duplicates dropped and every edge that closes a cycle reversed
 * (found by a depth-first search in index order, so the choice is deterministic). QEMU's block
 * graph is acyclic; a job's edges can still point back up, and the layout must not loop on them.
 */
export function acyclicDag(n: number, edges: readonly (readonly [number, number])[]): Dag {
  const given: number[][] = Array.from({ length: n }, () => []);
  for (const [s, t] of edges) if (s !== t) given[s]!.push(t);
  for (const list of given) list.sort((a, b) => a - b);
  const state = new Uint8Array(n); // 0 unseen, 1 on the search path, 2 finished
  const out: number[][] = Array.from({ length: n }, () => []);
  const seen = new Set<number>();
  const add = (s: number, t: number) => {
    const key = s * n + t;
    if (seen.has(key)) return;
    seen.add(key);
    out[s]!.push(t);
  };
  const stack: number[] = [];
  const next: number[] = new Array<number>(n).fill(0);
  for (let root = 0; root < n; root++) {
    if (state[root] !== 0) continue;
    state[root] = 1;
    stack.push(root);
    while (stack.length > 0) {
      const v = stack[stack.length - 1]!;
      const children = given[v]!;
      const i = next[v]!;
      if (i === children.length) {
        state[v] = 2;
        stack.pop();
        continue;
      }
      next[v] = i + 1;
      const w = children[i]!;
      if (state[w] === 1) add(w, v);
      else {
        add(v, w);
        if (state[w] === 0) {
          state[w] = 1;
          stack.push(w);
        }
      }
    }
  }
  const into: number[][] = Array.from({ length: n }, () => []);
  for (let s = 0; s < n; s++) for (const t of out[s]!) into[t]!.push(s);
  return { n, out, in: into };
}

/** Kahn's topological order, lowest index first among the ready nodes. */
export function topologicalOrder(dag: Dag): number[] {
  const remaining = dag.in.map((list) => list.length);
  const order: number[] = [];
  for (let v = 0; v < dag.n; v++) if (remaining[v] === 0) order.push(v);
  for (let i = 0; i < order.length; i++) {
    for (const w of dag.out[order[i]!]!) {
      remaining[w]! -= 1;
      if (remaining[w] === 0) order.push(w);
    }
  }
  return order;
}

/**
 * Longest-path layering from the sources, then each node that gains by it (more edges below it
 * than above, and not pinned to the top like a guest device) is moved down next to its highest
 * child: a job or export node then sits just above the nodes it works on instead of at the top
 * with long edges, which shortens edges the way a network-simplex layering would.
 */
export function assignLayers(dag: Dag, pinnedTop: (v: number) => boolean): number[] {
  const order = topologicalOrder(dag);
  const layer = new Array<number>(dag.n).fill(0);
  for (const v of order) for (const w of dag.out[v]!) layer[w] = Math.max(layer[w]!, layer[v]! + 1);
  for (let i = order.length - 1; i >= 0; i--) {
    const v = order[i]!;
    const below = dag.out[v]!;
    if (below.length === 0 || pinnedTop(v) || dag.in[v]!.length >= below.length) continue;
    let highest = Infinity;
    for (const w of below) highest = Math.min(highest, layer[w]!);
    layer[v] = Math.max(layer[v]!, highest - 1);
  }
  return layer;
}
