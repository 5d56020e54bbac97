// Short texts shown on a node card; the details panel shows everything in full.
import type { GraphNode } from '../model/types.ts';

export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

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
