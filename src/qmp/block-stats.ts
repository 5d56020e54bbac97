// What `query-blockstats` returns (qapi/block-core.json, BlockStats and BlockDeviceStats) as far
// as Blockscope uses it, and the one parser for it. Env-neutral: the proxy trims QEMU's answer
// with it before sharing it, and the page reads the proxy's event with it.
//
// QEMU keeps I/O accounting on BlockBackends only: each entry of the answer is a device (a named
// drive, or a device with a qdev path and no drive name under -blockdev), its `node-name` is the
// node the device is attached to, and the `parent`/`backing` subtrees repeat zeroed counters.

/** Latency histogram of one kind of request: bins[i] counts requests in [boundaries[i-1], boundaries[i]) ns. */
export interface LatencyHistogram {
  boundaries: number[];
  bins: number[];
}

/** One of QEMU's timed intervals (only for drives given `stats-intervals`). */
export interface TimedStats {
  interval_length: number;
  avg_rd_queue_depth: number;
  avg_wr_queue_depth: number;
}

/** The counters Blockscope reads; QEMU's other members pass through untouched. */
export interface BlockDeviceStats {
  rd_bytes: number;
  wr_bytes: number;
  rd_operations: number;
  wr_operations: number;
  flush_operations: number;
  rd_total_time_ns: number;
  wr_total_time_ns: number;
  flush_total_time_ns: number;
  failed_rd_operations: number;
  failed_wr_operations: number;
  failed_flush_operations: number;
  invalid_rd_operations: number;
  invalid_wr_operations: number;
  invalid_flush_operations: number;
  timed_stats?: TimedStats[];
  rd_latency_histogram?: LatencyHistogram;
  wr_latency_histogram?: LatencyHistogram;
  flush_latency_histogram?: LatencyHistogram;
}

export interface BlockStatsEntry {
  /** The drive name; '' for a device whose drive has none (-blockdev). */
  device: string;
  /** The device's QOM path, when a guest device is attached. */
  qdev?: string;
  /** The node the device is attached to (implicit filters skipped by QEMU). */
  'node-name'?: string;
  stats: BlockDeviceStats;
}

/** The proxy's X_BLOCKSCOPE_BLOCKSTATS data. */
export interface BlockStatsSample {
  /** Proxy clock (ms since the epoch) when QEMU's answer arrived. */
  at: number;
  /** How often the proxy reads while someone watches. */
  'interval-ms': number;
  blockstats: BlockStatsEntry[];
}

export const COUNTERS = [
  'rd_bytes',
  'wr_bytes',
  'rd_operations',
  'wr_operations',
  'flush_operations',
  'rd_total_time_ns',
  'wr_total_time_ns',
  'flush_total_time_ns',
  'failed_rd_operations',
  'failed_wr_operations',
  'failed_flush_operations',
  'invalid_rd_operations',
  'invalid_wr_operations',
  'invalid_flush_operations',
] as const satisfies readonly (keyof BlockDeviceStats)[];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isNumber = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value);

function histogram(value: unknown): LatencyHistogram | undefined {
  if (!isRecord(value)) return undefined;
  const { boundaries, bins } = value;
  if (!Array.isArray(boundaries) || !Array.isArray(bins)) return undefined;
  if (!boundaries.every(isNumber) || !bins.every(isNumber)) return undefined;
  if (bins.length !== boundaries.length + 1) return undefined;
  return { boundaries, bins };
}

function timed(value: unknown): TimedStats[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.filter(
    (t): t is TimedStats =>
      isRecord(t) &&
      isNumber(t.interval_length) &&
      isNumber(t.avg_rd_queue_depth) &&
      isNumber(t.avg_wr_queue_depth),
  );
}

/** One entry, or null when it lacks a counter Blockscope needs (a QEMU that differs). */
export function parseBlockStatsEntry(value: unknown): BlockStatsEntry | null {
  if (!isRecord(value) || !isRecord(value.stats)) return null;
  const raw = value.stats;
  const stats: Partial<BlockDeviceStats> = {};
  for (const counter of COUNTERS) {
    const n = raw[counter];
    if (!isNumber(n)) return null;
    stats[counter] = n;
  }
  const timedStats = timed(raw.timed_stats);
  if (timedStats && timedStats.length > 0) stats.timed_stats = timedStats;
  for (const kind of ['rd', 'wr', 'flush'] as const) {
    const h = histogram(raw[`${kind}_latency_histogram`]);
    if (h) stats[`${kind}_latency_histogram`] = h;
  }
  const entry: BlockStatsEntry = {
    device: typeof value.device === 'string' ? value.device : '',
    stats: stats as BlockDeviceStats,
  };
  if (typeof value.qdev === 'string' && value.qdev) entry.qdev = value.qdev;
  if (typeof value['node-name'] === 'string' && value['node-name']) {
    entry['node-name'] = value['node-name'];
  }
  return entry;
}

/** QEMU's answer (or the event's list), keeping the entries that parse. */
export function parseBlockStatsList(value: unknown): BlockStatsEntry[] {
  if (!Array.isArray(value)) return [];
  return value.map(parseBlockStatsEntry).filter((e): e is BlockStatsEntry => e !== null);
}

export function parseBlockStatsSample(value: unknown): BlockStatsSample | null {
  if (!isRecord(value) || !isNumber(value.at) || !Array.isArray(value.blockstats)) return null;
  const interval = value['interval-ms'];
  return {
    at: value.at,
    'interval-ms': isNumber(interval) ? interval : 1_000,
    blockstats: parseBlockStatsList(value.blockstats),
  };
}

/**
 * The name the block graph gives the device (x-debug-query-block-graph names a BlockBackend by
 * its drive name, else by its device's QOM path): the key an entry is found by.
 */
export function deviceNameOf(entry: BlockStatsEntry): string {
  return entry.device || entry.qdev || '';
}
