// The progress bar, the numbers under it, and a sparkline of recent progress.
import type { ProgressSample } from './job-rate.ts';
import { formatBytes } from '../../schema/units.ts';

export function ProgressBar({
  jobId,
  fraction,
  current,
  total,
  tone,
}: {
  jobId: string;
  fraction: number;
  current: number;
  total: number;
  tone: 'run' | 'ready' | 'error' | 'idle';
}) {
  const percent = Math.floor(fraction * 1000) / 10;
  const colour = {
    run: 'bg-sky-500',
    ready: 'bg-emerald-500',
    error: 'bg-red-500',
    idle: 'bg-slate-400',
  }[tone];
  return (
    <div className="flex flex-col gap-1">
      <div
        role="progressbar"
        aria-label={`Progress of ${jobId}`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        aria-valuetext={`${percent} % (${formatBytes(current)} of ${formatBytes(total)})`}
        className="h-2.5 overflow-hidden rounded bg-slate-200 dark:bg-slate-800"
      >
        <div className={`h-full ${colour} transition-[width]`} style={{ width: `${percent}%` }} />
      </div>
      <div className="flex justify-between text-xs tabular-nums text-slate-600 dark:text-slate-400">
        <span>
          {formatBytes(current)} / {formatBytes(total)}
        </span>
        <span>{percent.toFixed(1)} %</span>
      </div>
    </div>
  );
}

const WIDTH = 120;
const HEIGHT = 24;

/** Points for the fraction done over the last `spanMs`, oldest on the left. */
export function sparklinePoints(samples: readonly ProgressSample[], spanMs = 120_000): string {
  const last = samples[samples.length - 1];
  if (!last || samples.length < 2) return '';
  const start = Math.max(samples[0]!.t, last.t - spanMs);
  const width = Math.max(1, last.t - start);
  return samples
    .filter((s) => s.t >= start)
    .map((s) => {
      const x = ((s.t - start) / width) * WIDTH;
      const y = HEIGHT - (s.total > 0 ? Math.min(1, s.current / s.total) : 0) * HEIGHT;
      return `${x.toFixed(1)},${y.toFixed(1)}`;
    })
    .join(' ');
}

export function Sparkline({ samples }: { samples: readonly ProgressSample[] }) {
  const points = sparklinePoints(samples);
  if (!points) return null;
  return (
    <svg
      width={WIDTH}
      height={HEIGHT}
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      role="img"
      aria-label="Progress over the last two minutes"
      className="shrink-0 text-sky-500"
    >
      <polyline points={points} fill="none" stroke="currentColor" strokeWidth={1.5} />
    </svg>
  );
}
