// A small live line chart of one figure over the last minutes: one line per series (read, write),
// an optional dashed line for a throttle limit, the scale's top written at the left. Plain SVG:
// the values come once a second, a few hundred points at most.
import type { ReactNode } from 'react';

export interface ChartSeries {
  name: string;
  /** Tailwind stroke classes, light and dark. */
  stroke: string;
  values: (number | null)[];
}

const WIDTH = 340;

const minutes = (ms: number) => {
  const n = Math.max(1, Math.round(ms / 60_000));
  return n === 1 ? 'minute' : `${n} minutes`;
};
const HEIGHT = 64;

export function IoChart(props: {
  title: string;
  /** Times (ms) of the values, oldest first; the x axis spans [end - spanMs, end]. */
  times: number[];
  end: number;
  spanMs: number;
  series: ChartSeries[];
  format: (value: number) => string;
  limit?: { value: number; label: string };
  /** The current values, written under the title. */
  legend: ReactNode;
}) {
  const { times, end, spanMs, series, format, limit } = props;
  const all = series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const top = Math.max(...all, limit?.value ?? 0, 0) * 1.1 || 1;
  const x = (t: number) => WIDTH - ((end - t) / spanMs) * WIDTH;
  const y = (v: number) => HEIGHT - (v / top) * HEIGHT;
  const path = (values: (number | null)[]) => {
    let d = '';
    let pen = false;
    values.forEach((v, i) => {
      const t = times[i];
      if (v === null || t === undefined || end - t > spanMs) {
        pen = false;
        return;
      }
      d += `${pen ? 'L' : 'M'}${x(t).toFixed(1)},${y(v).toFixed(1)}`;
      pen = true;
    });
    return d;
  };
  const described = series
    .map((s) => {
      const last = [...s.values].reverse().find((v) => v !== null);
      return `${s.name} ${last == null ? 'none' : format(last)}`;
    })
    .join(', ');
  return (
    <figure className="flex flex-col gap-0.5">
      <figcaption className="flex flex-wrap items-baseline gap-x-2 text-xs">
        <span className="font-medium">{props.title}</span>
        {props.legend}
      </figcaption>
      <div className="relative">
        <svg
          role="img"
          aria-label={`${props.title} over the last ${minutes(spanMs)}: now ${described}${
            limit ? `; ${limit.label} ${format(limit.value)}` : ''
          }`}
          viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
          preserveAspectRatio="none"
          className="block h-16 w-full rounded bg-slate-50 dark:bg-slate-950"
        >
          <line
            x1={0}
            x2={WIDTH}
            y1={HEIGHT / 2}
            y2={HEIGHT / 2}
            className="stroke-slate-200 dark:stroke-slate-800"
            strokeWidth={1}
            vectorEffect="non-scaling-stroke"
          />
          {limit && (
            <line
              x1={0}
              x2={WIDTH}
              y1={y(limit.value)}
              y2={y(limit.value)}
              className="stroke-red-500 dark:stroke-red-400"
              strokeDasharray="4 3"
              strokeWidth={1}
              vectorEffect="non-scaling-stroke"
            />
          )}
          {series.map((s) => (
            <path
              key={s.name}
              d={path(s.values)}
              fill="none"
              strokeWidth={1.5}
              vectorEffect="non-scaling-stroke"
              className={s.stroke}
            />
          ))}
        </svg>
        <span
          aria-hidden
          className="absolute top-0 left-1 text-[9px] text-slate-500 dark:text-slate-400"
        >
          {format(top)}
        </span>
      </div>
    </figure>
  );
}
