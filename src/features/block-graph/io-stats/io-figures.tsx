// The compact live figures on a node card: read and write throughput and IOPS over the last
// second, for a device and for the node a device is attached to. Nothing when QEMU lists no
// statistics for the node (nodes below a device's root, exports, jobs).
import { memo, useCallback } from 'react';
import { useBlockStats, type BlockStatsHistory } from '../../../api/block-stats-queries.ts';
import type { GraphNode } from '../model/types.ts';
import { formatIops, formatRate } from './io-format.ts';
import { ioMatchOf, latestRates, type IoMatch } from './io-series.ts';

export const IoFigures = memo(function IoFigures({ node }: { node: GraphNode }) {
  const match = ioMatchOf(node);
  return match ? <Figures by={match.by} name={match.name} /> : null;
});

function Figures({ by, name }: IoMatch) {
  const select = useCallback(
    (history: BlockStatsHistory) => {
      const rates = latestRates(history.samples, { by, name });
      return rates
        ? { read: rates.readBps, write: rates.writeBps, iops: rates.readIops + rates.writeIops }
        : null;
    },
    [by, name],
  );
  const figures = useBlockStats(select);
  if (!figures) return null;
  // A direction without traffic is left out, so the line fits the card.
  const parts = [
    ...(figures.read > 0 ? [`R ${formatRate(figures.read)}`] : []),
    ...(figures.write > 0 ? [`W ${formatRate(figures.write)}`] : []),
  ];
  const text = parts.length === 0 ? 'no I/O' : [...parts, formatIops(figures.iops)].join(' · ');
  return (
    <span
      data-testid="io-figures"
      title={`I/O in the last second: read ${formatRate(figures.read)}, write ${formatRate(figures.write)}, ${formatIops(figures.iops)} (reads and writes)`}
      className="ml-auto truncate pl-1 text-[10px] tracking-normal normal-case tabular-nums text-slate-600 dark:text-slate-300"
    >
      {text}
    </span>
  );
}
