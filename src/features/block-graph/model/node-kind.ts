// Classifies block-driver nodes by driver and reads the few facts QEMU only exposes indirectly
// (the throttle group sits in the filter's json: filename; the cache mode is three booleans).
import type { NodeKind, RawNamedNode } from './types.ts';

/** Drivers that filter one child rather than store data (qmp-domain.md §3.3). */
const FILTER_DRIVERS = new Set([
  'mirror_top',
  'commit_top',
  'copy-before-write',
  'throttle',
  'copy-on-read',
  'preallocate',
  'compress',
  'snapshot-access',
  'blkdebug',
  'blklogwrites',
  'blkverify',
  'replication',
]);

/** Drivers that talk to storage: files, devices, network block protocols. */
const PROTOCOL_DRIVERS = new Set([
  'file',
  'host_device',
  'host_cdrom',
  'nbd',
  'null-co',
  'null-aio',
  'iscsi',
  'rbd',
  'ssh',
  'http',
  'https',
  'ftp',
  'ftps',
  'gluster',
  'nfs',
  'nvme',
  'nvme-io_uring',
  'virtio-blk-vfio-pci',
  'virtio-blk-vhost-user',
  'virtio-blk-vhost-vdpa',
  'io_uring',
]);

export function driverKind(driver: string | undefined): NodeKind {
  if (driver && FILTER_DRIVERS.has(driver)) return 'filter';
  if (driver && PROTOCOL_DRIVERS.has(driver)) return 'protocol';
  return 'format';
}

export function isFilterDriver(driver: string | undefined): boolean {
  return driverKind(driver) === 'filter';
}

/** The `-drive cache=` name for QEMU's three cache booleans (see qemu-options.hx). */
export function cacheMode(cache: RawNamedNode['cache']): string | undefined {
  if (!cache) return undefined;
  if (cache['no-flush']) return 'unsafe';
  if (cache.writeback) return cache.direct ? 'none' : 'writeback';
  return cache.direct ? 'directsync' : 'writethrough';
}

/**
 * A throttle node's group is only visible in its synthesised `json:{…}` filename, e.g.
 * `json:{"throttle-group": "tg0", "driver": "throttle", …}`.
 */
export function throttleGroupOf(node: RawNamedNode | undefined): string | undefined {
  const name = node?.file ?? node?.image?.filename;
  if (!name?.startsWith('json:')) return undefined;
  try {
    const options = JSON.parse(name.slice(5)) as Record<string, unknown>;
    const group = options['throttle-group'];
    return typeof group === 'string' ? group : undefined;
  } catch {
    return undefined;
  }
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
