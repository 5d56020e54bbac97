// On a libvirt guest the proxy only watches unless --libvirt-allow-writes: libvirt keeps its own
// record of every disk, backing chain and job, and a change made behind it through the monitor
// leaves that record wrong (libvirt's passthrough documentation warns of data loss). A refused
// command names libvirt's own way to do the same thing.
import { ProxyErrorClass } from '../../src/qmp/errors.ts';
import type { QmpErrorBody } from '../../src/qmp/wire.ts';

/** A mutating QMP command → the virsh command that does it with libvirt's knowledge. */
const VIRSH_WAYS: [RegExp, string][] = [
  [/^(blockdev|drive)-mirror$/, 'virsh blockcopy DOMAIN DISK DEST (--pivot to switch over)'],
  [/^block-commit$/, 'virsh blockcommit DOMAIN DISK (--active --pivot for the top image)'],
  [/^block-stream$/, 'virsh blockpull DOMAIN DISK'],
  [
    /^(blockdev|drive)-backup$/,
    'virsh backup-begin DOMAIN (virsh domfsfreeze DOMAIN first for a consistent guest filesystem)',
  ],
  [/^(block_set_io_throttle|object-add|object-del|qom-set)$/, 'virsh blkdeviotune DOMAIN DISK'],
  [
    /^(blockdev-snapshot.*|transaction)$/,
    'virsh snapshot-create-as DOMAIN --disk-only (or virsh backup-begin with a checkpoint)',
  ],
  [/^block-dirty-bitmap-/, 'virsh checkpoint-create-as / checkpoint-delete DOMAIN'],
  [
    /^(nbd-server-|block-export-)/,
    "virsh backup-begin DOMAIN BACKUP.xml (pull mode: <domainbackup mode='pull'> serves NBD)",
  ],
  [/^block_resize$/, 'virsh blockresize DOMAIN DISK SIZE'],
  [/^(block-job|job)-(cancel)$/, 'virsh blockjob DOMAIN DISK --abort'],
  [/^(block-job|job)-complete$/, 'virsh blockjob DOMAIN DISK --pivot'],
  [/^block-job-set-speed$/, 'virsh blockjob DOMAIN DISK --bandwidth N'],
  [/^(block-job|job)-(pause|resume|dismiss|finalize|change)$/, 'virsh blockjob DOMAIN DISK'],
  [
    /^(eject|blockdev-(change-medium|open-tray|close-tray|remove-medium|insert-medium))$/,
    'virsh change-media DOMAIN DISK',
  ],
  [
    /^(blockdev-(add|del|create|reopen|amend)|x-blockdev-.*|change-backing-file)$/,
    'virsh attach-disk / detach-disk DOMAIN, or edit the domain XML',
  ],
];

/** libvirt's way to do what `command` does, with the guest's name filled in. */
export function virshWay(command: string, domain: string): string {
  const way =
    VIRSH_WAYS.find(([pattern]) => pattern.test(command))?.[1] ?? 'virsh (see virsh help DOMAIN)';
  return way.replaceAll('DOMAIN', domain);
}

/** The refusal of a mutating command on a libvirt guest served read-only. */
export function libvirtRefusal(command: string, domain: string): QmpErrorBody {
  return {
    class: ProxyErrorClass.Denied,
    desc:
      `${command}: '${domain}' is managed by libvirt, and Blockscope only watches it ` +
      `(the server runs without --libvirt-allow-writes). Use libvirt's way: ${virshWay(command, domain)}`,
  };
}
