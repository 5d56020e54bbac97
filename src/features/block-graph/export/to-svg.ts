// The current view as a standalone SVG document, drawn from the model and the laid-out positions
// (not scraped from the DOM), so it is the same in light and dark mode and every string from QEMU
// is XML-escaped text.
import { permLetters } from '../model/permissions.ts';
import type { BlockGraphModel, NodeKind } from '../model/types.ts';
import type { Positions } from '../layout/layout-input.ts';
import { nodeSize } from '../layout/node-size.ts';
import { KIND_STYLE } from '../view/kind-style.ts';
import { subtitleOf } from '../view/node-text.ts';

export function escapeXml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
}

const PAD = 24;

export function toSvg(
  model: Pick<BlockGraphModel, 'nodes' | 'edges'>,
  positions: Positions,
  visible: (id: string) => boolean = () => true,
): string {
  const nodes = model.nodes.filter((n) => positions[n.id] && visible(n.id));
  const box = (id: string, kind: NodeKind) => ({ ...positions[id]!, ...nodeSize(kind) });
  const kindOf = new Map(nodes.map((n) => [n.id, n.kind]));
  let maxX = 0;
  let maxY = 0;
  let minX = Infinity;
  let minY = Infinity;
  for (const n of nodes) {
    const b = box(n.id, n.kind);
    minX = Math.min(minX, b.x);
    minY = Math.min(minY, b.y);
    maxX = Math.max(maxX, b.x + b.width);
    maxY = Math.max(maxY, b.y + b.height);
  }
  if (nodes.length === 0) minX = minY = maxX = maxY = 0;
  const width = maxX - minX + 2 * PAD;
  const height = maxY - minY + 2 * PAD;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="${minX - PAD} ${minY - PAD} ${width} ${height}" font-family="ui-sans-serif, system-ui, sans-serif">`,
    `<rect x="${minX - PAD}" y="${minY - PAD}" width="${width}" height="${height}" fill="#ffffff"/>`,
  ];
  for (const edge of model.edges) {
    const s = kindOf.get(edge.source);
    const t = kindOf.get(edge.target);
    if (!s || !t) continue;
    const a = box(edge.source, s);
    const b = box(edge.target, t);
    const x1 = a.x + a.width / 2;
    const y1 = a.y + a.height;
    const x2 = b.x + b.width / 2;
    const y2 = b.y;
    const midY = (y1 + y2) / 2;
    const colour = edge.conflicts.length > 0 ? '#dc2626' : '#64748b';
    out.push(
      `<path d="M${x1},${y1} C${x1},${midY} ${x2},${midY} ${x2},${y2}" fill="none" stroke="${colour}" stroke-width="1.5"${s === 'job' ? ' stroke-dasharray="4 3"' : ''}/>`,
      `<text x="${(x1 + x2) / 2}" y="${midY}" font-size="10" text-anchor="middle" fill="${colour}">${escapeXml(`${edge.role} ${permLetters(edge.perm)}/${permLetters(edge.shared)}`)}</text>`,
    );
  }
  for (const n of nodes) {
    const b = box(n.id, n.kind);
    const style = KIND_STYLE[n.kind];
    out.push(
      `<g><rect x="${b.x}" y="${b.y}" width="${b.width}" height="${b.height}" rx="8" fill="${style.fill}" stroke="${style.stroke}" stroke-width="1.5"/>`,
      `<text x="${b.x + 10}" y="${b.y + 20}" font-size="11" fill="${style.stroke}">${escapeXml(`${style.icon} ${style.label}`)}</text>`,
      `<text x="${b.x + 10}" y="${b.y + 38}" font-size="13" font-weight="600" fill="#0f172a">${escapeXml(n.label)}</text>`,
      `<text x="${b.x + 10}" y="${b.y + 56}" font-size="11" fill="#475569">${escapeXml(subtitleOf(n))}</text></g>`,
    );
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}
