// How the I/O figures are written. Bytes use the project's one size formatter (K, M, G = 1024ⁿ).
import { formatRate } from '../../../schema/units.ts';

export { formatRate };

export function formatIops(ops: number): string {
  return `${ops < 1 && ops > 0 ? ops.toFixed(1) : Math.round(ops)} IOPS`;
}

export function formatPerSecond(count: number): string {
  return `${count < 10 && count > 0 ? count.toFixed(1) : Math.round(count)}/s`;
}

export function formatMs(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 0.01) return '< 0.01 ms';
  return `${ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : Math.round(ms)} ms`;
}

export function formatDepth(depth: number): string {
  return depth < 10 ? depth.toFixed(2) : depth.toFixed(1);
}

/** A latency bound in nanoseconds as people read it: 500 µs, 2 ms, 1.5 s. */
export function formatNs(ns: number): string {
  if (ns < 1_000) return `${ns} ns`;
  if (ns < 1_000_000) return `${Number((ns / 1_000).toFixed(1))} µs`;
  if (ns < 1_000_000_000) return `${Number((ns / 1_000_000).toFixed(1))} ms`;
  return `${Number((ns / 1_000_000_000).toFixed(2))} s`;
}
