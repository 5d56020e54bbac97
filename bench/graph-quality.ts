// Layout quality measured the same way for our layout and for graphviz's: edge crossings of the
// edges drawn straight from the bottom middle of the parent to the top middle of the child, the
// drawing's aspect ratio, and its area as a multiple of the area of the nodes in it (so inches
// and pixels compare).

export interface Drawing {
  /** Centre and size of each node, y growing downwards. */
  nodes: Map<string, { x: number; y: number; width: number; height: number }>;
  edges: readonly { source: string; target: string }[];
}

export interface Quality {
  crossings: number;
  aspect: number;
  areaPerNodeArea: number;
}

type Segment = [number, number, number, number];

const orient = (ax: number, ay: number, bx: number, by: number, cx: number, cy: number) =>
  Math.sign((bx - ax) * (cy - ay) - (by - ay) * (cx - ax));

/** Whether two segments cross at a point inside both (a shared end point is not a crossing). */
function cross([ax, ay, bx, by]: Segment, [cx, cy, dx, dy]: Segment): boolean {
  const o1 = orient(ax, ay, bx, by, cx, cy);
  const o2 = orient(ax, ay, bx, by, dx, dy);
  const o3 = orient(cx, cy, dx, dy, ax, ay);
  const o4 = orient(cx, cy, dx, dy, bx, by);
  return o1 * o2 < 0 && o3 * o4 < 0;
}

export function quality({ nodes, edges }: Drawing): Quality {
  const segments: Segment[] = [];
  for (const e of edges) {
    const s = nodes.get(e.source);
    const t = nodes.get(e.target);
    if (s && t) segments.push([s.x, s.y + s.height / 2, t.x, t.y - t.height / 2]);
  }
  // Sorted by left end so each segment is compared only with those whose x ranges overlap.
  const spans = segments
    .map((s) => ({ s, from: Math.min(s[0], s[2]), to: Math.max(s[0], s[2]) }))
    .sort((a, b) => a.from - b.from);
  let crossings = 0;
  for (let i = 0; i < spans.length; i++)
    for (let j = i + 1; j < spans.length && spans[j]!.from <= spans[i]!.to; j++)
      if (cross(spans[i]!.s, spans[j]!.s)) crossings++;
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  let nodeArea = 0;
  for (const n of nodes.values()) {
    minX = Math.min(minX, n.x - n.width / 2);
    maxX = Math.max(maxX, n.x + n.width / 2);
    minY = Math.min(minY, n.y - n.height / 2);
    maxY = Math.max(maxY, n.y + n.height / 2);
    nodeArea += n.width * n.height;
  }
  const width = maxX - minX;
  const height = maxY - minY;
  return { crossings, aspect: width / height, areaPerNodeArea: (width * height) / nodeArea };
}

/** Splits a line of `dot -Tplain` into words, honouring double quotes. */
function words(line: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line))
    out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]!);
  return out;
}

/**
 * The nodes of graphviz's `-Tplain` output (inches, y upwards: flipped here), only those named
 * in `ids` (render_block_graph.py's legend is not part of the graph). Long lines continue after
 * a backslash-newline.
 */
export function parsePlain(
  plain: string,
  ids: ReadonlySet<string>,
  edges: Drawing['edges'],
): Drawing {
  const nodes: Drawing['nodes'] = new Map();
  for (const line of plain.replaceAll('\\\n', '').split('\n')) {
    if (!line.startsWith('node ')) continue;
    const [, name, x, y, width, height] = words(line);
    if (!ids.has(name!)) continue;
    nodes.set(name!, { x: Number(x), y: -Number(y), width: Number(width), height: Number(height) });
  }
  return { nodes, edges };
}
