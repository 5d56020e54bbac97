// Short texts shown on a node card; the details panel shows everything in full.
import { formatBytes } from '../../../schema/units.ts';
import type { GraphNode } from '../model/types.ts';

export function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export function jobPercent(node: GraphNode): number | undefined {
  const job = node.job;
  if (!job || job['total-progress'] <= 0) return undefined;
  return Math.floor((100 * job['current-progress']) / job['total-progress']);
}

export function subtitleOf(node: GraphNode): string {
  switch (node.kind) {
    case 'device':
      return node.name;
    case 'job': {
      const pct = jobPercent(node);
      return `${node.job?.status ?? 'unknown'}${pct === undefined ? '' : ` · ${pct}%`}`;
    }
    case 'export':
      return `serves ${node.export?.['node-name'] ?? '?'}`;
    case 'backend':
      return 'anonymous BlockBackend';
    case 'protocol':
      return `${node.driver ?? '?'} · ${node.fileName ? basename(node.fileName) : '—'}`;
    case 'filter':
      return node.throttle?.group
        ? `${node.driver} · group ${node.throttle.group}`
        : (node.driver ?? '?');
    default:
      return `${node.driver ?? '?'} · ${formatBytes(node.virtualSize)}`;
  }
}
