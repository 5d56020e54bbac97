// The throttle limits that apply to a device's I/O, beside what was measured. A device is limited
// by its own BlockBackend's limits (block_set_io_throttle, shown as `legacy` on the device) and by
// every throttle filter node below it (its group's limits). Throttle groups name limits
// `bps-total`, `iops-read`, …; block_set_io_throttle names them `bps`, `iops_rd`, …
// (qapi/block-core.json ThrottleLimits and BlockIOThrottle). Burst (`-max`) and size settings are
// not rates and are not compared.
import type { BlockGraphModel, GraphNode } from '../model/types.ts';
import type { IoRates } from './io-series.ts';

export interface AppliedThrottle {
  /** Where the limits are set: the device itself, or a throttle filter node (its group). */
  source: string;
  limits: Record<string, number>;
}

/** The device nodes whose I/O a node shows (itself, or the devices attached to it). */
export function devicesOf(node: GraphNode, model: BlockGraphModel): GraphNode[] {
  if (node.kind === 'device') return [node];
  return node.devices
    .map((id) => model.byId.get(id))
    .filter(
      (d): d is GraphNode => d !== undefined && d.raw.block?.inserted?.['node-name'] === node.name,
    );
}

export function throttlesFor(devices: GraphNode[], model: BlockGraphModel): AppliedThrottle[] {
  const out: AppliedThrottle[] = [];
  for (const device of devices) {
    if (device.throttle?.how === 'legacy') {
      out.push({
        source: `${device.label} (block_set_io_throttle)`,
        limits: device.throttle.limits,
      });
    }
  }
  const ids = new Set(devices.map((d) => d.id));
  for (const node of model.nodes) {
    if (node.throttle?.how !== 'filter' || !node.devices.some((id) => ids.has(id))) continue;
    const group = node.throttle.group ? `group ${node.throttle.group}` : 'no group';
    out.push({ source: `${node.label} (${group})`, limits: node.throttle.limits });
  }
  return out;
}

export interface LimitCheck {
  key: string;
  /** What is limited, in words: "total throughput", "read IOPS", … */
  what: string;
  unit: 'bytes' | 'ops';
  limit: number;
  measured: number;
  source: string;
}

const RATE_KEYS: Record<
  string,
  { what: string; unit: 'bytes' | 'ops'; of: (r: IoRates) => number }
> = {
  'bps-total': { what: 'total throughput', unit: 'bytes', of: (r) => r.readBps + r.writeBps },
  bps: { what: 'total throughput', unit: 'bytes', of: (r) => r.readBps + r.writeBps },
  'bps-read': { what: 'read throughput', unit: 'bytes', of: (r) => r.readBps },
  bps_rd: { what: 'read throughput', unit: 'bytes', of: (r) => r.readBps },
  'bps-write': { what: 'write throughput', unit: 'bytes', of: (r) => r.writeBps },
  bps_wr: { what: 'write throughput', unit: 'bytes', of: (r) => r.writeBps },
  'iops-total': { what: 'total IOPS', unit: 'ops', of: (r) => r.readIops + r.writeIops },
  iops: { what: 'total IOPS', unit: 'ops', of: (r) => r.readIops + r.writeIops },
  'iops-read': { what: 'read IOPS', unit: 'ops', of: (r) => r.readIops },
  iops_rd: { what: 'read IOPS', unit: 'ops', of: (r) => r.readIops },
  'iops-write': { what: 'write IOPS', unit: 'ops', of: (r) => r.writeIops },
  iops_wr: { what: 'write IOPS', unit: 'ops', of: (r) => r.writeIops },
};

/** Each rate limit that is set (non-zero), with the measured rate it bounds. */
export function limitChecks(throttles: AppliedThrottle[], rates: IoRates | null): LimitCheck[] {
  const out: LimitCheck[] = [];
  for (const { source, limits } of throttles) {
    for (const [key, limit] of Object.entries(limits)) {
      const rule = RATE_KEYS[key];
      if (!rule || !(limit > 0)) continue;
      out.push({
        key,
        what: rule.what,
        unit: rule.unit,
        limit,
        measured: rates ? rule.of(rates) : 0,
        source,
      });
    }
  }
  return out;
}
