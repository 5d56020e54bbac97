// What a block driver is, in one list for the whole page: the graph's node kinds, the plans'
// backing chains and the throttle rules all ask here. React-free.

/**
 * Drivers that filter one child rather than store data: reads and writes pass through their
 * `file` child (qapi/block-core.json BlockdevDriver; block/*.c set `is_filter`), so a backing
 * chain continues below them.
 */
export const FILTER_DRIVERS: ReadonlySet<string> = new Set([
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
export const PROTOCOL_DRIVERS: ReadonlySet<string> = new Set([
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

export type DriverKind = 'filter' | 'protocol' | 'format';

export function driverKind(driver: string | undefined): DriverKind {
  if (driver && FILTER_DRIVERS.has(driver)) return 'filter';
  if (driver && PROTOCOL_DRIVERS.has(driver)) return 'protocol';
  return 'format';
}

export function isFilterDriver(driver: string | undefined): boolean {
  return driverKind(driver) === 'filter';
}

/** The members of a query-named-block-nodes entry the throttle rule reads. */
export interface ThrottleNodeFacts {
  drv?: string;
  file?: string;
  image?: { filename?: string };
}

/**
 * The throttle group a throttle filter node uses. QEMU shows it only in the node's synthesised
 * `json:{…}` filename, e.g. `json:{"throttle-group": "tg0", "driver": "throttle", …}`; a node of
 * another driver (a format node above the filter repeats it deeper in its own filename) has none.
 */
export function throttleGroupOf(node: ThrottleNodeFacts | undefined): string | undefined {
  if (!node || (node.drv !== undefined && node.drv !== 'throttle')) return undefined;
  const name = node.file ?? node.image?.filename;
  if (!name?.startsWith('json:')) return undefined;
  try {
    const options = JSON.parse(name.slice(5)) as Record<string, unknown>;
    const group = options['throttle-group'];
    return typeof group === 'string' ? group : undefined;
  } catch {
    return undefined;
  }
}
