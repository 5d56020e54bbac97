// Zoom to fit into the part of the graph that is not covered: below the toolbar, left of the
// details panel (open, or about to open for a node being focused), clear of the minimap's corner.
// React Flow's own fit pads evenly and knows nothing of what lies over its canvas.
import { getViewportForBounds, type Viewport } from '@xyflow/react';
import type { Rect } from './bounds.ts';

/** Marks an element laid over the graph whose edge the fit keeps clear of. */
export const OVERLAY_ATTRIBUTE = 'data-graph-overlay';

/** Width the details panel takes when it is about to open (w-80, and w-96 from Tailwind's xl). */
const detailsWidth = () => (window.matchMedia('(min-width: 1280px)').matches ? 384 : 320);
const GAP = 16;

export interface FitOptions {
  /** Reserve room for the details panel even if it is not open yet. */
  details?: boolean;
  minZoom: number;
  maxZoom: number;
}

/** The part of the container's box (its own coordinates) that nothing lies over. */
export interface Area {
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * `minimap` says which side gives way to the minimap in the bottom-right corner: its height off
 * the bottom, its width off the right, or neither (for asking whether a node is in sight).
 */
export function uncoveredArea(
  container: HTMLElement,
  details = false,
  minimap: 'bottom' | 'right' | 'none' = 'none',
): Area {
  const box = container.getBoundingClientRect();
  let top = GAP;
  let right = GAP;
  let bottom = GAP;
  for (const overlay of container.querySelectorAll(`[${OVERLAY_ATTRIBUTE}]`)) {
    const edge = overlay.getAttribute(OVERLAY_ATTRIBUTE);
    const r = overlay.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if (edge === 'top') top = Math.max(top, r.bottom - box.top + GAP / 2);
    if (edge === 'right') right = Math.max(right, box.right - r.left + GAP);
  }
  if (details) right = Math.max(right, detailsWidth() + GAP);
  const map = container.querySelector('.react-flow__minimap')?.getBoundingClientRect();
  if (map && map.width > 0 && right < box.right - map.left) {
    if (minimap === 'bottom') bottom = Math.max(bottom, box.bottom - map.top + GAP / 2);
    if (minimap === 'right') right = Math.max(right, box.right - map.left + GAP / 2);
  }
  return {
    left: GAP,
    top,
    width: Math.max(1, box.width - right - GAP),
    height: Math.max(1, box.height - top - bottom),
  };
}

/**
 * The viewport that shows `rect` whole in the uncovered area. The minimap's corner is kept clear
 * by giving up its height or its width, whichever leaves the larger picture (a wide graph loses
 * height, a tall one width).
 */
export function fitViewport(container: HTMLElement, rect: Rect, options: FitOptions): Viewport {
  const fits = (['bottom', 'right'] as const).map((side) => {
    const area = uncoveredArea(container, options.details, side);
    const inner = getViewportForBounds(
      rect,
      area.width,
      area.height,
      options.minZoom,
      options.maxZoom,
      0.05,
    );
    // getViewportForBounds centres in a box at the origin: move it into the uncovered area.
    return { x: inner.x + area.left, y: inner.y + area.top, zoom: inner.zoom };
  });
  const [low, side] = fits as [Viewport, Viewport];
  return side.zoom > low.zoom ? side : low;
}

/** Whether a rectangle of the graph (flow coordinates) lies wholly in the uncovered area. */
export function inView(rect: Rect, viewport: Viewport, area: Area): boolean {
  const { x, y, zoom } = viewport;
  const left = rect.x * zoom + x;
  const top = rect.y * zoom + y;
  return (
    left >= area.left - 1 &&
    top >= area.top - 1 &&
    left + rect.width * zoom <= area.left + area.width + 1 &&
    top + rect.height * zoom <= area.top + area.height + 1
  );
}
