// The I/O section of the node details: figures averaged over the last seconds, the throttle limits
// that apply beside the measured rate they bound, live charts of the last minutes and, where
// turned on, latency histograms. Shown for a device and for the node a device is attached to:
// QEMU counts I/O where devices issue it, not per node.
import { useCallback } from 'react';
import {
  HISTORY_MS,
  useBlockStats,
  type BlockStatsHistory,
} from '../../../api/block-stats-queries.ts';
import type { BlockGraphModel, GraphNode } from '../model/types.ts';
import { IoChart } from './io-chart.tsx';
import { formatDepth, formatIops, formatMs, formatPerSecond, formatRate } from './io-format.ts';
import { devicesOf, limitChecks, throttlesFor, type LimitCheck } from './io-limits.ts';
import { ioMatchOf, ioSeries, ioWindow, type IoMatch, type IoRates } from './io-series.ts';
import { LatencyHistograms } from './latency-histograms.tsx';

/** The window the figures (and the limit comparison) average over. */
const FIGURES_MS = 5_000;
const READ = 'stroke-sky-600 dark:stroke-sky-400';
const WRITE = 'stroke-amber-600 dark:stroke-amber-400';
const OTHER = 'stroke-red-600 dark:stroke-red-400';

const Value = ({ value, children }: { value: number; children: string }) => (
  <data value={String(value)} className="tabular-nums">
    {children}
  </data>
);

export function IoPanel({ node, model }: { node: GraphNode; model: BlockGraphModel }) {
  const match = ioMatchOf(node);
  const devices = devicesOf(node, model);
  if (!match) return null;
  return (
    <section aria-label="I/O" className="flex flex-col gap-2">
      <h3 className="font-medium">I/O</h3>
      {devices.length === 0 && node.kind !== 'device' ? (
        <p className="text-xs text-slate-500 dark:text-slate-400">
          QEMU counts I/O where a device issues it: see the details of the device above this node.
        </p>
      ) : (
        <Live match={match} devices={devices} model={model} />
      )}
    </section>
  );
}

function Live({
  match,
  devices,
  model,
}: {
  match: IoMatch;
  devices: GraphNode[];
  model: BlockGraphModel;
}) {
  const { by, name } = match;
  const select = useCallback(
    (history: BlockStatsHistory) => ({
      series: ioSeries(history.samples, { by, name }),
      window: ioWindow(history.samples, { by, name }, FIGURES_MS),
      end: history.samples.at(-1)?.at ?? 0,
      latest: history.samples.at(-1),
      unavailable: history.unavailable,
    }),
    [by, name],
  );
  const data = useBlockStats(select);
  if (data?.unavailable) {
    return (
      <p className="text-xs text-amber-800 dark:text-amber-200">
        No I/O statistics from this proxy: {data.unavailable}
      </p>
    );
  }
  if (!data || data.series.length === 0 || !data.window) {
    return (
      <p className="text-xs text-slate-500 dark:text-slate-400">Waiting for I/O statistics…</p>
    );
  }
  const { series, window: now, end } = data;
  const checks = limitChecks(throttlesFor(devices, model), now);
  const times = series.map((p) => p.at);
  const pick = (f: (p: IoRates) => number | null) => series.map(f);
  // The tightest limit of the kind a chart shows is drawn on it.
  const limitOf = (unit: LimitCheck['unit']) => {
    const tightest = checks.filter((c) => c.unit === unit).sort((a, b) => a.limit - b.limit)[0];
    return tightest ? { value: tightest.limit, label: `${tightest.what} limit` } : undefined;
  };
  // The charts span the history there is, from one minute up to HISTORY_MS.
  const first = times[0] ?? end;
  const chart = { times, end, spanMs: Math.min(HISTORY_MS, Math.max(60_000, end - first)) };
  return (
    <>
      <dl
        aria-label={`Averages over the last ${FIGURES_MS / 1000} s`}
        className="grid grid-cols-[8rem_1fr] gap-x-2 gap-y-0.5 text-xs"
      >
        <dt className="text-slate-500 dark:text-slate-400">Read throughput</dt>
        <dd>
          <Value value={now.readBps}>{formatRate(now.readBps)}</Value>
        </dd>
        <dt className="text-slate-500 dark:text-slate-400">Write throughput</dt>
        <dd>
          <Value value={now.writeBps}>{formatRate(now.writeBps)}</Value>
        </dd>
        <dt className="text-slate-500 dark:text-slate-400">Read IOPS</dt>
        <dd>
          <Value value={now.readIops}>{formatIops(now.readIops)}</Value>
        </dd>
        <dt className="text-slate-500 dark:text-slate-400">Write IOPS</dt>
        <dd>
          <Value value={now.writeIops}>{formatIops(now.writeIops)}</Value>
        </dd>
        <dt className="text-slate-500 dark:text-slate-400">Latency (avg)</dt>
        <dd>
          read {formatMs(now.readLatencyMs)}, write {formatMs(now.writeLatencyMs)}
        </dd>
        <dt className="text-slate-500 dark:text-slate-400">Failed, invalid</dt>
        <dd>
          {formatPerSecond(now.failedPerSecond)}, {formatPerSecond(now.invalidPerSecond)}
        </dd>
        <dt className="text-slate-500 dark:text-slate-400">Queue depth</dt>
        <dd title={now.queueDepthFrom === 'qemu' ? "QEMU's timed statistics" : undefined}>
          {formatDepth(now.queueDepth)}
          {now.queueDepthFrom === 'little' ? ' (requests in flight, from latency × rate)' : ''}
        </dd>
      </dl>
      <LimitMeters checks={checks} />
      <div className="flex flex-col gap-2">
        <IoChart
          {...chart}
          title="Throughput"
          format={formatRate}
          limit={limitOf('bytes')}
          series={[
            { name: 'read', stroke: READ, values: pick((p) => p.readBps) },
            { name: 'write', stroke: WRITE, values: pick((p) => p.writeBps) },
          ]}
          legend={<Legend read={formatRate(now.readBps)} write={formatRate(now.writeBps)} />}
        />
        <IoChart
          {...chart}
          title="IOPS"
          format={formatIops}
          limit={limitOf('ops')}
          series={[
            { name: 'read', stroke: READ, values: pick((p) => p.readIops) },
            { name: 'write', stroke: WRITE, values: pick((p) => p.writeIops) },
          ]}
          legend={<Legend read={formatIops(now.readIops)} write={formatIops(now.writeIops)} />}
        />
        <IoChart
          {...chart}
          title="Average latency"
          format={formatMs}
          series={[
            { name: 'read', stroke: READ, values: pick((p) => p.readLatencyMs) },
            { name: 'write', stroke: WRITE, values: pick((p) => p.writeLatencyMs) },
          ]}
          legend={
            <Legend read={formatMs(now.readLatencyMs)} write={formatMs(now.writeLatencyMs)} />
          }
        />
        <IoChart
          {...chart}
          title="Failed and invalid requests"
          format={formatPerSecond}
          series={[
            { name: 'failed', stroke: OTHER, values: pick((p) => p.failedPerSecond) },
            { name: 'invalid', stroke: WRITE, values: pick((p) => p.invalidPerSecond) },
          ]}
          legend={null}
        />
        <IoChart
          {...chart}
          title="Queue depth"
          format={formatDepth}
          series={[{ name: 'in flight', stroke: READ, values: pick((p) => p.queueDepth) }]}
          legend={null}
        />
      </div>
      <LatencyHistograms devices={devices} latest={data.latest} />
    </>
  );
}

function Legend({ read, write }: { read: string; write: string }) {
  return (
    <span className="text-slate-600 dark:text-slate-300">
      <span className="text-sky-700 dark:text-sky-300">read {read}</span> ·{' '}
      <span className="text-amber-700 dark:text-amber-300">write {write}</span>
    </span>
  );
}

/** Each rate limit that applies, as a meter of the measured rate against it. */
function LimitMeters({ checks }: { checks: LimitCheck[] }) {
  if (checks.length === 0) {
    return <p className="text-xs text-slate-500 dark:text-slate-400">No throttle limits apply.</p>;
  }
  return (
    <ul aria-label="Throttle limits" className="flex flex-col gap-1 text-xs">
      {checks.map((c) => {
        const format = c.unit === 'bytes' ? formatRate : formatIops;
        const label = `Measured ${c.what} against the limit of ${c.source}`;
        return (
          <li key={`${c.source}:${c.key}`} className="flex flex-col">
            <span>
              {c.what}: <Value value={c.measured}>{format(c.measured)}</Value> of{' '}
              <Value value={c.limit}>{format(c.limit)}</Value> limit{' '}
              <span className="text-slate-500 dark:text-slate-400">({c.source})</span>
            </span>
            <meter
              aria-label={label}
              min={0}
              max={c.limit}
              value={c.measured}
              className="h-2 w-full"
            />
          </li>
        );
      })}
    </ul>
  );
}
