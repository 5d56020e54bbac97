import { describe, expect, it } from 'vitest';
import { withSample } from '../../../api/block-stats-queries.ts';
import type { BlockDeviceStats, BlockStatsSample } from '../../../qmp/block-stats.ts';
import { parseBlockStatsSample } from '../../../qmp/block-stats.ts';
import { buildBlockGraphModel } from '../model/build-model.ts';
import type { RawGraph } from '../model/types.ts';
import { devicesOf, limitChecks, throttlesFor } from './io-limits.ts';
import { ioMatchOf, ioSeries, ioWindow, latestRates, ratesBetween } from './io-series.ts';

const VDA = '/machine/peripheral/vda/virtio-backend';
const MiB = 1024 * 1024;

function stats(over: Partial<BlockDeviceStats> = {}): BlockDeviceStats {
  return {
    rd_bytes: 0,
    wr_bytes: 0,
    rd_operations: 0,
    wr_operations: 0,
    flush_operations: 0,
    rd_total_time_ns: 0,
    wr_total_time_ns: 0,
    flush_total_time_ns: 0,
    failed_rd_operations: 0,
    failed_wr_operations: 0,
    failed_flush_operations: 0,
    invalid_rd_operations: 0,
    invalid_wr_operations: 0,
    invalid_flush_operations: 0,
    ...over,
  };
}

/** A sample at `at` ms in which vda (on node `top`) has written `wr` MiB in `wr` ops of 1 MiB. */
const sample = (
  at: number,
  wr: number,
  extra: Partial<BlockDeviceStats> = {},
): BlockStatsSample => ({
  at,
  'interval-ms': 1_000,
  blockstats: [
    {
      device: '',
      qdev: VDA,
      'node-name': 'top',
      stats: stats({ wr_bytes: wr * MiB, wr_operations: wr, wr_total_time_ns: wr * 2e6, ...extra }),
    },
    { device: 'drive1', 'node-name': 'other', stats: stats({ rd_bytes: 7 }) },
  ],
});

const byDevice = { by: 'device', name: VDA } as const;

describe('I/O rates from query-blockstats samples', () => {
  it('turns counter differences into throughput, IOPS, latency and queue depth', () => {
    const rates = ioWindow([sample(0, 0), sample(1_000, 10), sample(2_000, 30)], byDevice, 5_000)!;
    expect(rates).toMatchObject({
      seconds: 2,
      writeBps: 15 * MiB,
      writeIops: 15,
      readBps: 0,
      readLatencyMs: null,
      writeLatencyMs: 2,
      // 30 requests of 2 ms in 2 s: 0.03 requests in flight on average.
      queueDepth: 0.03,
      queueDepthFrom: 'little',
    });
    expect(
      latestRates([sample(0, 0), sample(1_000, 10), sample(2_000, 30)], byDevice),
    ).toMatchObject({ seconds: 1, writeBps: 20 * MiB });
  });

  it("takes QEMU's own queue depth where the drive keeps timed statistics", () => {
    const timed = {
      timed_stats: [
        { interval_length: 60, avg_rd_queue_depth: 9, avg_wr_queue_depth: 9 },
        { interval_length: 1, avg_rd_queue_depth: 0.5, avg_wr_queue_depth: 1.25 },
      ],
    };
    const rates = latestRates([sample(0, 0, timed), sample(1_000, 5, timed)], byDevice)!;
    expect(rates).toMatchObject({ queueDepth: 1.75, queueDepthFrom: 'qemu' });
  });

  it('finds a device by its name in the graph and a node by the node the device is attached to', () => {
    const samples = [sample(0, 0), sample(1_000, 4)];
    expect(latestRates(samples, { by: 'node', name: 'top' })?.writeBps).toBe(4 * MiB);
    expect(latestRates(samples, { by: 'device', name: 'drive1' })?.readBps).toBe(0);
    expect(latestRates(samples, { by: 'node', name: 'nothing' })).toBeNull();
  });

  it('skips a pair across a counter reset (QEMU restarted) and across a gap in the reads', () => {
    const series = ioSeries(
      [
        sample(0, 10),
        sample(1_000, 12),
        sample(2_000, 1),
        sample(3_000, 2),
        sample(9_000, 8),
        sample(10_000, 9),
      ],
      byDevice,
    );
    expect(series.map((p) => [p.at, p.writeIops])).toEqual([
      [1_000, 2],
      [3_000, 1],
      [10_000, 1],
    ]);
    // A window does not reach back over the gap either.
    expect(
      ioWindow([sample(0, 0), sample(9_000, 90), sample(10_000, 91)], byDevice, 20_000),
    ).toMatchObject({
      seconds: 1,
      writeIops: 1,
    });
    expect(ratesBetween({ at: 5, counters: stats() }, { at: 5, counters: stats() })).toBeNull();
  });

  it('keeps five minutes of samples in the cache, in order', () => {
    let history = { samples: [] as BlockStatsSample[] };
    for (let t = 0; t <= 400_000; t += 1_000) history = withSample(history, sample(t, t / 1000));
    expect(history.samples).toHaveLength(301);
    expect(history.samples[0]!.at).toBe(100_000);
    expect(history.samples.at(-1)!.at).toBe(400_000);
  });

  it('parses the proxy event and drops entries without the counters', () => {
    const parsed = parseBlockStatsSample({
      at: 5,
      'interval-ms': 1000,
      blockstats: [
        {
          device: '',
          qdev: VDA,
          stats: { ...stats(), rd_latency_histogram: { boundaries: [10], bins: [1, 2] } },
        },
        { device: 'broken', stats: { rd_bytes: 'x' } },
      ],
    });
    expect(parsed?.blockstats).toEqual([
      {
        device: '',
        qdev: VDA,
        stats: { ...stats(), rd_latency_histogram: { boundaries: [10], bins: [1, 2] } },
      },
    ]);
    expect(parseBlockStatsSample({ blockstats: [] })).toBeNull();
  });
});

describe('throttle limits beside the measured rates', () => {
  // The demo's vdc: device → throttle filter (group tg0) → qcow2 → file.
  const graph: RawGraph = {
    nodes: [
      { id: 1, type: 'block-backend', name: '/machine/peripheral/vdc/virtio-backend' },
      { id: 2, type: 'block-driver', name: 'logs-throttle' },
      { id: 3, type: 'block-driver', name: 'logs' },
      { id: 4, type: 'block-driver', name: 'logs-file' },
    ],
    edges: [
      { parent: 1, child: 2, name: 'root', perm: [], 'shared-perm': [] },
      { parent: 2, child: 3, name: 'file', perm: [], 'shared-perm': [] },
      { parent: 3, child: 4, name: 'file', perm: [], 'shared-perm': [] },
    ],
  };
  const model = buildBlockGraphModel({
    graph,
    namedNodes: [
      {
        'node-name': 'logs-throttle',
        drv: 'throttle',
        file: 'json:{"throttle-group": "tg0", "file": "logs"}',
        ro: false,
      },
      { 'node-name': 'logs', drv: 'qcow2', file: '/x/logs.qcow2', ro: false },
      { 'node-name': 'logs-file', drv: 'file', file: '/x/logs.qcow2', ro: false },
    ],
    blocks: [
      {
        device: '',
        qdev: '/machine/peripheral/vdc/virtio-backend',
        inserted: { 'node-name': 'logs-throttle', drv: 'throttle', file: '', ro: false },
      },
    ],
    throttleGroups: [
      { id: 'tg0', limits: { 'iops-total': 400, 'bps-total': 20 * MiB, 'bps-total-max': 0 } },
    ],
  });
  const device = model.byId.get('blk:/machine/peripheral/vdc/virtio-backend')!;
  const filter = model.byId.get('drv:logs-throttle')!;

  it("applies the group's limits to the device and to the node it is attached to, not below", () => {
    expect(ioMatchOf(device)).toEqual({ by: 'device', name: device.name });
    expect(devicesOf(device, model)).toEqual([device]);
    expect(devicesOf(filter, model)).toEqual([device]);
    expect(devicesOf(model.byId.get('drv:logs')!, model)).toEqual([]);
    const throttles = throttlesFor([device], model);
    expect(throttles).toEqual([
      {
        source: 'logs-throttle (group tg0)',
        limits: { 'iops-total': 400, 'bps-total': 20 * MiB, 'bps-total-max': 0 },
      },
    ]);
    const rates = latestRates(
      [sample(0, 0), sample(1_000, 18, { rd_operations: 100 })].map((s) => ({
        ...s,
        blockstats: s.blockstats.map((e) => ({ ...e, qdev: device.name })),
      })),
      { by: 'device', name: device.name },
    );
    expect(limitChecks(throttles, rates)).toEqual([
      {
        key: 'iops-total',
        what: 'total IOPS',
        unit: 'ops',
        limit: 400,
        measured: 118,
        source: 'logs-throttle (group tg0)',
      },
      {
        key: 'bps-total',
        what: 'total throughput',
        unit: 'bytes',
        limit: 20 * MiB,
        measured: 18 * MiB,
        source: 'logs-throttle (group tg0)',
      },
    ]);
  });
});
