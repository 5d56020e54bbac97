// Saves the current view as SVG, PNG or graphviz .dot. PNG is the SVG drawn onto a canvas, so all
// three show the same picture; nothing is scraped from the live DOM.
import type { BlockGraphModel } from '../model/types.ts';
import type { Positions } from '../layout/layout-input.ts';
import { toDot } from './to-dot.ts';
import { toSvg } from './to-svg.ts';

function save(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function downloadSvg(
  model: BlockGraphModel,
  positions: Positions,
  visible: (id: string) => boolean,
  name: string,
) {
  save(new Blob([toSvg(model, positions, visible)], { type: 'image/svg+xml' }), `${name}.svg`);
}

export function downloadDot(model: BlockGraphModel, name: string) {
  save(new Blob([toDot(model)], { type: 'text/vnd.graphviz' }), `${name}.dot`);
}

export async function downloadPng(
  model: BlockGraphModel,
  positions: Positions,
  visible: (id: string) => boolean,
  name: string,
): Promise<void> {
  const svg = toSvg(model, positions, visible);
  const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
  try {
    const image = new Image();
    image.src = url;
    await image.decode();
    const canvas = document.createElement('canvas');
    // Large graphs are scaled down to stay within the canvas size browsers accept.
    const scale = Math.min(2, 16_000 / Math.max(image.width, image.height, 1));
    canvas.width = Math.ceil(image.width * scale);
    canvas.height = Math.ceil(image.height * scale);
    const context = canvas.getContext('2d');
    if (!context) throw new Error('no 2D canvas');
    context.scale(scale, scale);
    context.drawImage(image, 0, 0);
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
    if (!blob) throw new Error('the browser could not encode the PNG');
    save(blob, `${name}.png`);
  } finally {
    URL.revokeObjectURL(url);
  }
}
