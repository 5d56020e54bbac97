// Step four: the independent parts of the graph (usually one per guest device) side by side, in
// rows, in the order given. The row width is chosen so that the whole picture fits a 16:10 window
// at the largest scale: a few devices stand in one row, dozens wrap into several.

export interface Box {
  width: number;
  height: number;
}

export const COMPONENT_GAP = 64;
const WINDOW = { width: 1600, height: 1000 };

/** Top-left corner of each box, in the order given, packed in rows no wider than `limit`. */
function shelves(boxes: readonly Box[], limit: number) {
  const at: { x: number; y: number }[] = [];
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  let width = 0;
  for (const box of boxes) {
    if (x > 0 && x + box.width > limit) {
      y += rowHeight + COMPONENT_GAP;
      x = 0;
      rowHeight = 0;
    }
    at.push({ x, y });
    width = Math.max(width, x + box.width);
    x += box.width + COMPONENT_GAP;
    rowHeight = Math.max(rowHeight, box.height);
  }
  return { at, width, height: y + rowHeight };
}

export function packComponents(boxes: readonly Box[]): {
  at: { x: number; y: number }[];
  width: number;
  height: number;
} {
  // Each candidate row limit is the width of a first row of k boxes, k = all … 1.
  let best = shelves(boxes, Infinity);
  let bestScale = Math.min(WINDOW.width / best.width, WINDOW.height / best.height);
  let rowWidth = -COMPONENT_GAP;
  const limits: number[] = [];
  for (const box of boxes) {
    rowWidth += box.width + COMPONENT_GAP;
    limits.push(rowWidth);
  }
  for (let k = limits.length - 2; k >= 0; k--) {
    const packed = shelves(boxes, limits[k]!);
    const scale = Math.min(WINDOW.width / packed.width, WINDOW.height / packed.height);
    if (scale > bestScale) {
      best = packed;
      bestScale = scale;
    }
  }
  return best;
}
