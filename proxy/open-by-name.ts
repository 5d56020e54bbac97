// Commands that open an existing image by its file name, where QEMU reads the header and may follow
// what it names (checked against QEMU 7.2 and 10.0 in test/integration/hardening-images.test.ts):
//   drive-mirror mode=existing   opens the target, and its backing chain when the job completes
//   drive-backup mode=existing   opens the target with its backing chain
//   blockdev-snapshot-sync mode=existing   opens the overlay without its backing (the current
//                                image becomes the backing), but with its data file or extents
//   blockdev-change-medium       opens the medium with everything its header names
// Without `format` QEMU probes the file (drive-mirror, drive-backup, blockdev-change-medium), so a
// raw-looking request can still open a qcow2 with a backing file. The header itself is read just
// before the command is sent (image-checks.ts); here only the request is classified.
import { ProxyErrorClass } from '../src/qmp/errors.ts';
import type { JsonObject, QmpErrorBody } from '../src/qmp/wire.ts';
import type { ImageCheck } from './image-checks.ts';

/**
 * Block drivers refused wherever they appear, and why. Network drivers would let an operator make
 * QEMU connect anywhere its host can reach (an `nbd` client is allowed to loopback or an allowed
 * unix socket, checked like a server address); vvfat exposes a whole directory tree and follows
 * the symlinks inside it.
 */
export const REFUSED_DRIVERS: ReadonlyMap<string, string> = new Map([
  ...[
    'http',
    'https',
    'ftp',
    'ftps',
    'ssh',
    'iscsi',
    'gluster',
    'rbd',
    'nfs',
    'nvme',
    'nvme-io_uring',
    'virtio-blk-vfio-pci',
    'virtio-blk-vhost-user',
    'virtio-blk-vhost-vdpa',
  ].map((d): [string, string] => [d, 'reaches outside this host']),
  ['vvfat', 'reads every file under a directory, following its symlinks'],
]);

/** Formats an image may be opened with by file name; the rest parse protocol-style names. */
export const OPEN_FORMATS: ReadonlySet<string> = new Set([
  'raw',
  'qcow2',
  'qcow',
  'qed',
  'vmdk',
  'vdi',
  'vpc',
  'vhdx',
  'parallels',
  'luks',
  'bochs',
  'cloop',
  'dmg',
]);

type Classified = { check: ImageCheck } | { refusal: QmpErrorBody } | null;

function opened(
  command: string,
  path: unknown,
  format: unknown,
  followBacking: boolean,
): Classified {
  if (typeof path !== 'string') return null;
  if (format !== null && (typeof format !== 'string' || !OPEN_FORMATS.has(format))) {
    return {
      refusal: {
        class: ProxyErrorClass.Denied,
        desc: `${command}: format '${String(format)}' cannot be checked when an image is opened by file name (use ${[...OPEN_FORMATS].join(', ')})`,
      },
    };
  }
  return {
    check: {
      kind: 'open-by-name',
      at: command,
      path,
      format: format as string | null,
      followBacking,
    },
  };
}

export function openByNameCheck(command: string, args: JsonObject): Classified {
  switch (command) {
    case 'drive-mirror':
    case 'drive-backup':
      return args.mode === 'existing'
        ? opened(command, args.target, args.format ?? null, true)
        : null;
    case 'blockdev-snapshot-sync':
      // QEMU's default format here is qcow2 (qapi/block-core.json BlockdevSnapshotSync).
      return args.mode === 'existing'
        ? opened(command, args['snapshot-file'], args.format ?? 'qcow2', false)
        : null;
    case 'blockdev-change-medium':
      return opened(command, args.filename, args.format ?? null, true);
    default:
      return null;
  }
}
