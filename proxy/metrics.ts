// GET /metrics: the Prometheus text format, built with prom-client from what the proxy already
// holds. Names follow the libvirt exporters (`…_read_bytes_total`, `…_read_time_seconds_total`)
// with a `blockscope_` prefix and base units. A scrape asks QEMU nothing of its own: block
// counters come from the shared query-blockstats reader (one read at most per interval, none
// while pages watch and the last read is fresh), jobs from the job poller's last snapshot (it
// polls while jobs exist), sessions and commands from the multiplexers' counts.
// prom-client is loaded on the first scrape, so a proxy nobody scrapes does not carry it.
import type { ServerResponse } from 'node:http';
import {
  deviceNameOf,
  type BlockStatsEntry,
  type BlockStatsSample,
} from '../src/qmp/block-stats.ts';
import type { JsonObject, JsonValue } from '../src/qmp/wire.ts';
import type { Multiplexer } from './multiplexer.ts';

export interface MetricsText {
  contentType: string;
  body: string;
}

interface TargetView {
  mux: Multiplexer;
  sample: BlockStatsSample | null;
}

const NS_PER_S = 1e9;

const isObject = (v: JsonValue | undefined): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The scrape function for the proxy's targets (read anew at every scrape: targets may change). */
export function createMetrics(targets: () => Iterable<Multiplexer>): () => Promise<MetricsText> {
  return async () => {
    const views: TargetView[] = await Promise.all(
      [...targets()].map(async (mux) => ({ mux, sample: await mux.blockStats.fresh() })),
    );
    return render(views);
  };
}

async function render(views: TargetView[]): Promise<MetricsText> {
  const { Counter, Gauge, Registry } = await import('prom-client');
  // A registry per scrape: every value is set from the current state, nothing is carried over.
  const registry = new Registry();
  const registers = [registry];
  const gauge = (name: string, help: string, labelNames: string[]) =>
    new Gauge({ name, help, labelNames, registers });
  const counter = (name: string, help: string, labelNames: string[]) =>
    new Counter({ name, help, labelNames, registers });

  const up = gauge(
    'blockscope_target_up',
    '1 while the proxy is connected to the QMP monitor of the target, else 0',
    ['target'],
  );
  const sessions = gauge('blockscope_sessions', 'WebSocket sessions attached to the target', [
    'target',
  ]);
  const commands = counter(
    'blockscope_commands_total',
    'QMP commands the proxy took for the target: source "sessions" (what sessions sent, with the reads the proxy adds for the backup ledger), "job-poller" and "blockstats-poller" (its shared reads)',
    ['target', 'source'],
  );
  const sent = counter(
    'blockscope_qemu_commands_total',
    "QMP commands the proxy wrote to the target's monitor, by command (every connection, negotiation included): what QEMU actually received",
    ['target', 'command'],
  );
  const joined = counter(
    'blockscope_shared_reads_total',
    'Reads answered by an identical read already on its way to QEMU, not sent again',
    ['target'],
  );
  const block = ['target', 'device', 'node'];
  const io = {
    readBytes: counter('blockscope_block_read_bytes_total', 'Bytes read through the device', block),
    writeBytes: counter(
      'blockscope_block_write_bytes_total',
      'Bytes written through the device',
      block,
    ),
    readRequests: counter('blockscope_block_read_requests_total', 'Read requests completed', block),
    writeRequests: counter(
      'blockscope_block_write_requests_total',
      'Write requests completed',
      block,
    ),
    flushRequests: counter(
      'blockscope_block_flush_requests_total',
      'Flush requests completed',
      block,
    ),
    readTime: counter(
      'blockscope_block_read_time_seconds_total',
      'Time spent in read requests, summed over requests',
      block,
    ),
    writeTime: counter(
      'blockscope_block_write_time_seconds_total',
      'Time spent in write requests, summed over requests',
      block,
    ),
    flushTime: counter(
      'blockscope_block_flush_time_seconds_total',
      'Time spent in flush requests, summed over requests',
      block,
    ),
    failed: counter(
      'blockscope_block_failed_requests_total',
      'Requests that failed, by operation (counted only where QEMU accounts failures)',
      [...block, 'operation'],
    ),
    invalid: counter(
      'blockscope_block_invalid_requests_total',
      'Requests refused as invalid, by operation (counted only where QEMU accounts them)',
      [...block, 'operation'],
    ),
  };
  // Not `job`: Prometheus gives every scraped series the `job` of its scrape config (and would
  // rename ours to exported_job).
  const job = ['target', 'job_id', 'type'];
  const current = gauge(
    'blockscope_job_current_progress',
    "The job's progress so far (QEMU's current-progress; bytes for block jobs)",
    job,
  );
  const total = gauge(
    'blockscope_job_total_progress',
    "The job's estimated end of progress (QEMU's total-progress)",
    job,
  );
  const speed = gauge(
    'blockscope_job_speed_limit_bytes_per_second',
    "A block job's speed limit; 0 for none",
    job,
  );
  const info = gauge('blockscope_job_info', 'A job of the target, with its state; always 1', [
    ...job,
    'state',
  ]);

  for (const { mux, sample } of views) {
    const target = mux.upstream.name;
    up.set({ target }, mux.upstream.currentState === 'connected' ? 1 : 0);
    sessions.set({ target }, mux.sessionCount);
    commands.inc({ target, source: 'sessions' }, mux.sessionCommands);
    commands.inc({ target, source: 'job-poller' }, mux.poller.polls * 2);
    commands.inc({ target, source: 'blockstats-poller' }, mux.blockStats.polls);
    for (const [command, count] of mux.upstream.commandsSent) sent.inc({ target, command }, count);
    joined.inc({ target }, mux.reads.joined);
    for (const entry of sample?.blockstats ?? []) {
      const labels = blockLabels(target, entry);
      const s = entry.stats;
      io.readBytes.inc(labels, s.rd_bytes);
      io.writeBytes.inc(labels, s.wr_bytes);
      io.readRequests.inc(labels, s.rd_operations);
      io.writeRequests.inc(labels, s.wr_operations);
      io.flushRequests.inc(labels, s.flush_operations);
      io.readTime.inc(labels, s.rd_total_time_ns / NS_PER_S);
      io.writeTime.inc(labels, s.wr_total_time_ns / NS_PER_S);
      io.flushTime.inc(labels, s.flush_total_time_ns / NS_PER_S);
      for (const [operation, key] of [
        ['read', 'rd'],
        ['write', 'wr'],
        ['flush', 'flush'],
      ] as const) {
        io.failed.inc({ ...labels, operation }, s[`failed_${key}_operations`]);
        io.invalid.inc({ ...labels, operation }, s[`invalid_${key}_operations`]);
      }
    }
    const jobs = mux.poller.latest;
    const blockJobs = new Map<string, JsonObject>();
    for (const b of Array.isArray(jobs?.['block-jobs']) ? jobs['block-jobs'] : []) {
      if (isObject(b) && typeof b.device === 'string') blockJobs.set(b.device, b);
    }
    for (const j of Array.isArray(jobs?.jobs) ? jobs.jobs : []) {
      if (!isObject(j) || typeof j.id !== 'string' || typeof j.type !== 'string') continue;
      const labels = { target, job_id: j.id, type: j.type };
      if (typeof j['current-progress'] === 'number') current.set(labels, j['current-progress']);
      if (typeof j['total-progress'] === 'number') total.set(labels, j['total-progress']);
      const limit = blockJobs.get(j.id)?.speed;
      if (typeof limit === 'number') speed.set(labels, limit);
      info.set({ ...labels, state: typeof j.status === 'string' ? j.status : 'unknown' }, 1);
    }
  }
  return { contentType: registry.contentType, body: await registry.metrics() };
}

/** `device` is the guest device's QOM path (else the drive name), `node` the node it is attached to. */
function blockLabels(target: string, entry: BlockStatsEntry) {
  return { target, device: entry.qdev ?? deviceNameOf(entry), node: entry['node-name'] ?? '' };
}

/** Answers one authenticated GET /metrics (the route and its checks are in http-server.ts). */
export function serveMetrics(
  metrics: (() => Promise<MetricsText>) | undefined,
  res: ServerResponse,
  headers: Record<string, string>,
): void {
  if (!metrics) {
    res.writeHead(404, { 'Content-Type': 'text/plain', ...headers }).end('no metrics\n');
    return;
  }
  metrics().then(
    ({ contentType, body }) => {
      res.writeHead(200, { 'Content-Type': contentType, 'Cache-Control': 'no-store', ...headers });
      res.end(body);
    },
    () => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain', ...headers });
      res.end('cannot collect the metrics\n');
    },
  );
}
