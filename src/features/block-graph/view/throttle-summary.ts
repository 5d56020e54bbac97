// The limits of a throttled node in a few characters, for its badge on the graph. Throttle groups
// name limits `iops-total`, `bps-read`, …; block_set_io_throttle names them `iops`, `bps_rd`, ….
import { formatRate } from '../../../schema/units.ts';

const IOPS_KEYS = ['iops-total', 'iops', 'iops-read', 'iops_rd', 'iops-write', 'iops_wr'];
const BPS_KEYS = ['bps-total', 'bps', 'bps-read', 'bps_rd', 'bps-write', 'bps_wr'];

function first(limits: Record<string, number>, keys: string[]): [string, number] | undefined {
  for (const key of keys) {
    const value = limits[key];
    if (value) return [key, value];
  }
  return undefined;
}

function direction(key: string): string {
  if (/read|_rd/.test(key)) return ' read';
  if (/write|_wr/.test(key)) return ' write';
  return '';
}

/** E.g. "400 IOPS · 20 MiB/s"; '' when no limit is set. */
export function throttleSummary(limits: Record<string, number>): string {
  const parts: string[] = [];
  const iops = first(limits, IOPS_KEYS);
  if (iops) parts.push(`${iops[1]} IOPS${direction(iops[0])}`);
  const bps = first(limits, BPS_KEYS);
  if (bps) parts.push(`${formatRate(bps[1])}${direction(bps[0])}`);
  return parts.join(' · ');
}
