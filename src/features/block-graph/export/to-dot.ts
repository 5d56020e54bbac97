// The current graph as a graphviz .dot file in the form render_block_graph.py writes (qemu
// scripts/): the same legend node, `name [drv]` labels with the file's basename for `file`
// nodes, `<type> job (<id>)` boxes, `unnamed blk` for anonymous backends, and edges labelled
// `<role>\l<perm>\l<shared-perm>\l`. Node identifiers are our stable ids instead of QEMU's
// per-call numbers, so two exports of the same graph diff cleanly.
import { permLetters } from '../model/permissions.ts';
import type { BlockGraphModel, GraphNode } from '../model/types.ts';

/** A dot double-quoted string; `\l` sequences we add are kept, everything else escaped. */
function quote(text: string): string {
  return `"${text.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n')}"`;
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function label(node: GraphNode): { text: string; shape: string } {
  switch (node.kind) {
    case 'job':
      return { text: `${node.job?.type ?? 'block'} job (${node.name})`, shape: 'box' };
    case 'device':
    case 'backend':
    case 'export':
      // Exports and job targets are anonymous BlockBackends in QEMU's graph.
      return { text: node.kind === 'device' ? node.name : 'unnamed blk', shape: 'box' };
    default: {
      let text = `${node.name} [${node.driver ?? '?'}]`;
      if (node.driver === 'file' && node.fileName) text += `\n${basename(node.fileName)}`;
      return { text, shape: 'ellipse' };
    }
  }
}

const LEGEND =
  'permission symbols:\\l  w - Write\\l  r - consistent-Read\\l  u - write - Unchanged\\l' +
  '  s - reSize\\l' +
  'edge label scheme:\\l  <child type>\\l  <perm>\\l  <shared_perm>\\l';

export function toDot(model: Pick<BlockGraphModel, 'nodes' | 'edges'>): string {
  const lines = ['// Block Nodes Graph', 'digraph {', `\t"${LEGEND}" [shape=none]`];
  for (const node of model.nodes) {
    const { text, shape } = label(node);
    lines.push(`\t${quote(node.id)} [label=${quote(text)} shape=${shape}]`);
  }
  for (const edge of model.edges) {
    const text = `${quote(edge.role).slice(1, -1)}\\l${permLetters(edge.perm)}\\l${permLetters(edge.shared)}\\l`;
    lines.push(`\t${quote(edge.source)} -> ${quote(edge.target)} [label="${text}"]`);
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}
