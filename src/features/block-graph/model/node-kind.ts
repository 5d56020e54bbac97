// Classifies block-driver nodes by driver and reads the few facts QEMU only exposes indirectly
// (the throttle group sits in the filter's json: filename; the cache mode is three booleans).
import type { RawNamedNode } from './types.ts';

export { driverKind, isFilterDriver, throttleGroupOf } from '../../../block-layer/drivers.ts';

/** The `-drive cache=` name for QEMU's three cache booleans (see qemu-options.hx). */
export function cacheMode(cache: RawNamedNode['cache']): string | undefined {
  if (!cache) return undefined;
  if (cache['no-flush']) return 'unsafe';
  if (cache.writeback) return cache.direct ? 'none' : 'writeback';
  return cache.direct ? 'directsync' : 'writethrough';
}

const LEGACY_LIMITS = ['bps', 'bps_rd', 'bps_wr', 'iops', 'iops_rd', 'iops_wr'] as const;

/** Nonzero block_set_io_throttle limits (legacy BlockBackend throttling), or undefined. */
export function legacyLimits(node: RawNamedNode | undefined): Record<string, number> | undefined {
  if (!node) return undefined;
  const limits: Record<string, number> = {};
  for (const key of LEGACY_LIMITS) {
    const value = node[key];
    if (value) limits[key] = value;
  }
  return Object.keys(limits).length > 0 ? limits : undefined;
}

/** `/machine/peripheral/vda/virtio-backend` → `vda`; other names unchanged. */
export function shortDeviceName(qdev: string): string {
  const match = /^\/machine\/peripheral(?:-anon)?\/([^/]+)/.exec(qdev);
  return match?.[1] ?? qdev;
}

/** A job node's title: `mirror job m1`, or `job m1` before query-jobs has told its type. */
export function jobLabel(name: string, job: { type: string } | undefined): string {
  return job ? `${job.type} job ${name}` : `job ${name}`;
}
