// Latency histograms of a device (block-latency-histogram-set, qapi/block.json): turned on from
// the node details with fixed bounds, drawn from the latest statistics once QEMU reports them
// (the counts are since they were turned on), turned off after a confirmation naming the device,
// since that drops the counts.
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useQmpClient } from '../../../api/qmp-context.tsx';
import { sessionOptions } from '../../../api/session.ts';
import {
  deviceNameOf,
  type BlockStatsSample,
  type LatencyHistogram,
} from '../../../qmp/block-stats.ts';
import type { GraphNode } from '../model/types.ts';
import { formatNs } from './io-format.ts';

/** Bucket bounds in nanoseconds: 10 µs … 1 s, a decade each. */
export const HISTOGRAM_BOUNDS = [
  10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000,
];

const BUTTON =
  'rounded border border-slate-300 px-2 py-1 text-xs enabled:hover:bg-slate-100 disabled:opacity-50 dark:border-slate-700 dark:enabled:hover:bg-slate-800';
const DANGER =
  'rounded bg-red-600 px-2 py-1 text-xs font-medium text-white hover:bg-red-700 disabled:opacity-50';

export function LatencyHistograms({
  devices,
  latest,
}: {
  devices: GraphNode[];
  latest: BlockStatsSample | undefined;
}) {
  return (
    <>
      {devices.map((device) => (
        <DeviceHistograms key={device.id} device={device} latest={latest} />
      ))}
    </>
  );
}

function DeviceHistograms({ device, latest }: { device: GraphNode; latest?: BlockStatsSample }) {
  const client = useQmpClient();
  const viewer = useQuery(sessionOptions()).data?.role === 'viewer';
  const [confirming, setConfirming] = useState(false);
  const set = useMutation({
    mutationFn: (on: boolean) =>
      client.execute('block-latency-histogram-set', {
        id: device.name,
        ...(on ? { boundaries: HISTOGRAM_BOUNDS } : {}),
      }),
    onSettled: () => setConfirming(false),
  });
  const stats = latest?.blockstats.find((e) => deviceNameOf(e) === device.name)?.stats;
  const present: [string, LatencyHistogram][] = [];
  if (stats?.rd_latency_histogram) present.push(['read', stats.rd_latency_histogram]);
  if (stats?.wr_latency_histogram) present.push(['write', stats.wr_latency_histogram]);
  if (stats?.flush_latency_histogram) present.push(['flush', stats.flush_latency_histogram]);
  const why = viewer ? 'needs the operator role' : undefined;
  return (
    <div className="flex flex-col gap-1 text-xs">
      <div className="flex items-center gap-2">
        <span className="font-medium">Latency histograms of {device.label}</span>
        {present.length === 0 ? (
          <button
            type="button"
            className={BUTTON}
            disabled={viewer || set.isPending}
            title={why}
            aria-description={why}
            onClick={() => set.mutate(true)}
          >
            Turn on
          </button>
        ) : (
          <button
            type="button"
            className={BUTTON}
            disabled={viewer || set.isPending}
            title={why}
            aria-description={why}
            onClick={() => setConfirming(true)}
          >
            Turn off
          </button>
        )}
      </div>
      {confirming && (
        <div
          role="alertdialog"
          aria-label={`Turn off the latency histograms of ${device.label}?`}
          className="flex flex-col gap-1.5 rounded border border-red-300 bg-red-50 p-2 text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100"
          onKeyDown={(e) => e.key === 'Escape' && setConfirming(false)}
        >
          <p>
            Turn off the latency histograms of <strong>{device.label}</strong>? The counts collected
            so far are dropped.
          </p>
          <div className="flex gap-1.5">
            <button type="button" className={DANGER} autoFocus onClick={() => set.mutate(false)}>
              Yes, turn them off
            </button>
            <button type="button" className={BUTTON} onClick={() => setConfirming(false)}>
              Keep them
            </button>
          </div>
        </div>
      )}
      {set.error && (
        <p role="alert" className="text-red-700 dark:text-red-300">
          block-latency-histogram-set refused: {set.error.message}
        </p>
      )}
      {present.length === 0 ? (
        <p className="text-slate-500 dark:text-slate-400">
          Off. Turned on, QEMU counts requests by latency, from {formatNs(HISTOGRAM_BOUNDS[0]!)} to{' '}
          {formatNs(HISTOGRAM_BOUNDS.at(-1)!)}.
        </p>
      ) : (
        <HistogramTable device={device.label} histograms={present} />
      )}
    </div>
  );
}

function bucketLabel(bounds: number[], i: number): string {
  if (i === 0) return `< ${formatNs(bounds[0]!)}`;
  if (i === bounds.length) return `≥ ${formatNs(bounds[i - 1]!)}`;
  return `${formatNs(bounds[i - 1]!)} – ${formatNs(bounds[i]!)}`;
}

/** Requests per latency bucket since the histograms were turned on, with a bar per count. */
function HistogramTable({
  device,
  histograms,
}: {
  device: string;
  histograms: [string, LatencyHistogram][];
}) {
  const bounds = histograms[0]![1].boundaries;
  const max = Math.max(1, ...histograms.flatMap(([, h]) => h.bins));
  return (
    <table aria-label={`Latency histogram of ${device}`} className="w-full table-fixed">
      <thead>
        <tr className="text-left text-slate-500 dark:text-slate-400">
          <th className="w-24 font-normal">latency</th>
          {histograms.map(([kind]) => (
            <th key={kind} className="font-normal">
              {kind}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {bounds.concat([Infinity]).map((_, i) => (
          <tr key={i}>
            <th scope="row" className="text-left font-normal whitespace-nowrap">
              {bucketLabel(bounds, i)}
            </th>
            {histograms.map(([kind, h]) => {
              const count = h.bins[i] ?? 0;
              return (
                <td key={kind} className="relative tabular-nums">
                  <span
                    aria-hidden
                    className="absolute inset-y-0.5 left-0 rounded-sm bg-sky-200 dark:bg-sky-900"
                    style={{ width: `${(100 * count) / max}%` }}
                  />
                  <span className="relative pl-1">{count}</span>
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
