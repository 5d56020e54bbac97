// Rates from the proxy's query-blockstats samples. QEMU keeps cumulative counters per device
// (qapi/block-core.json BlockDeviceStats); a rate is the difference of two samples over the time
// between them (the proxy's clock). Average latency is the difference of *_total_time_ns over the
// difference of operations; queue depth is QEMU's own average where a drive has timed statistics
// (`stats-intervals`), else the mean number of requests in flight by Little's law: the time all
// requests spent, per time passed.
import {
  COUNTERS,
  deviceNameOf,
  type BlockStatsEntry,
  type BlockStatsSample,
} from '../../../qmp/block-stats.ts';
import type { GraphNode } from '../model/types.ts';

type CounterName = (typeof COUNTERS)[number];
export type Counters = Record<CounterName, number> & { queueDepth?: number };

/** Which entries a graph node shows: a device's own, or those of the devices attached to a node. */
export type IoMatch = { by: 'device' | 'node'; name: string };

export function ioMatchOf(node: GraphNode): IoMatch | undefined {
  if (!node.name) return undefined;
  if (node.kind === 'device') return { by: 'device', name: node.name };
  if (node.kind === 'format' || node.kind === 'protocol' || node.kind === 'filter') {
    return { by: 'node', name: node.name };
  }
  return undefined;
}

const matches = (entry: BlockStatsEntry, match: IoMatch) =>
  match.by === 'device' ? deviceNameOf(entry) === match.name : entry['node-name'] === match.name;

/** The matching entries' counters summed, or undefined when none matches. */
export function countersOf(sample: BlockStatsSample, match: IoMatch): Counters | undefined {
  const entries = sample.blockstats.filter((e) => matches(e, match));
  if (entries.length === 0) return undefined;
  const sum = Object.fromEntries(COUNTERS.map((c) => [c, 0])) as Counters;
  let depth: number | undefined;
  for (const { stats } of entries) {
    for (const c of COUNTERS) sum[c] += stats[c];
    // The shortest interval QEMU keeps is the most current.
    const timed = [...(stats.timed_stats ?? [])].sort(
      (a, b) => a.interval_length - b.interval_length,
    )[0];
    if (timed) depth = (depth ?? 0) + timed.avg_rd_queue_depth + timed.avg_wr_queue_depth;
  }
  if (depth !== undefined) sum.queueDepth = depth;
  return sum;
}

export interface IoRates {
  /** The later sample's time (proxy clock, ms). */
  at: number;
  /** Seconds between the two samples. */
  seconds: number;
  readBps: number;
  writeBps: number;
  readIops: number;
  writeIops: number;
  flushIops: number;
  /** Average latency of the requests completed in between; null when none completed. */
  readLatencyMs: number | null;
  writeLatencyMs: number | null;
  flushLatencyMs: number | null;
  failedPerSecond: number;
  invalidPerSecond: number;
  queueDepth: number;
  queueDepthFrom: 'qemu' | 'little';
}

/** Rates between two samples; null when no time passed or a counter went back (QEMU restarted). */
export function ratesBetween(
  a: { at: number; counters: Counters },
  b: { at: number; counters: Counters },
): IoRates | null {
  const seconds = (b.at - a.at) / 1000;
  if (!(seconds > 0)) return null;
  const d = {} as Record<CounterName, number>;
  for (const c of COUNTERS) {
    d[c] = b.counters[c] - a.counters[c];
    if (d[c] < 0) return null;
  }
  const latency = (ns: number, ops: number) => (ops > 0 ? ns / ops / 1e6 : null);
  const qemuDepth = b.counters.queueDepth;
  return {
    at: b.at,
    seconds,
    readBps: d.rd_bytes / seconds,
    writeBps: d.wr_bytes / seconds,
    readIops: d.rd_operations / seconds,
    writeIops: d.wr_operations / seconds,
    flushIops: d.flush_operations / seconds,
    readLatencyMs: latency(d.rd_total_time_ns, d.rd_operations),
    writeLatencyMs: latency(d.wr_total_time_ns, d.wr_operations),
    flushLatencyMs: latency(d.flush_total_time_ns, d.flush_operations),
    failedPerSecond:
      (d.failed_rd_operations + d.failed_wr_operations + d.failed_flush_operations) / seconds,
    invalidPerSecond:
      (d.invalid_rd_operations + d.invalid_wr_operations + d.invalid_flush_operations) / seconds,
    queueDepth:
      qemuDepth ??
      (d.rd_total_time_ns + d.wr_total_time_ns + d.flush_total_time_ns) / (seconds * 1e9),
    queueDepthFrom: qemuDepth === undefined ? 'little' : 'qemu',
  };
}

/** The samples that have the match, oldest first, cut after the last gap (no reads in between). */
function points(samples: BlockStatsSample[], match: IoMatch) {
  const out: { at: number; counters: Counters; interval: number }[] = [];
  for (const sample of samples) {
    const counters = countersOf(sample, match);
    if (counters) out.push({ at: sample.at, counters, interval: sample['interval-ms'] });
  }
  return out;
}

const isGap = (a: { at: number }, b: { at: number; interval: number }) =>
  b.at - a.at > 3 * b.interval;

/** One rate per consecutive pair of samples, skipping pairs across a gap or a reset. */
export function ioSeries(samples: BlockStatsSample[], match: IoMatch): IoRates[] {
  const p = points(samples, match);
  const out: IoRates[] = [];
  for (let i = 1; i < p.length; i++) {
    if (isGap(p[i - 1]!, p[i]!)) continue;
    const rates = ratesBetween(p[i - 1]!, p[i]!);
    if (rates) out.push(rates);
  }
  return out;
}

/** Rates over the last `windowMs` (from the newest sample back, not across a gap). */
export function ioWindow(
  samples: BlockStatsSample[],
  match: IoMatch,
  windowMs: number,
): IoRates | null {
  const p = points(samples, match);
  const last = p.at(-1);
  if (!last) return null;
  let first = p.length - 1;
  while (first > 0 && last.at - p[first - 1]!.at <= windowMs && !isGap(p[first - 1]!, p[first]!)) {
    first--;
  }
  return first === p.length - 1 ? null : ratesBetween(p[first]!, last);
}

/** The latest per-second figures, for a node card. */
export function latestRates(samples: BlockStatsSample[], match: IoMatch): IoRates | null {
  // The previous read, about one interval back (and not the one before it).
  return ioWindow(samples, match, 1.5 * (samples.at(-1)?.['interval-ms'] ?? 1_000));
}
