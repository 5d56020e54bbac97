// The command names the policy is built from (QEMU 7.2 to 10.x spellings).
// QMP is root-equivalent (QEMU docs/system/security.rst), so the operator role gets a named list of
// block-layer commands rather than "everything that is not denied": a command added by a newer QEMU
// stays refused until someone decides it belongs here.

/** Block-layer commands an operator may run; their file and address arguments are checked too. */
export const OPERATOR_COMMANDS: ReadonlySet<string> = new Set([
  'blockdev-add',
  'blockdev-del',
  'blockdev-create',
  'blockdev-reopen',
  'x-blockdev-amend',
  'blockdev-amend',
  'blockdev-mirror',
  'drive-mirror',
  'blockdev-backup',
  'drive-backup',
  'block-commit',
  'block-stream',
  'blockdev-snapshot',
  'blockdev-snapshot-sync',
  'blockdev-snapshot-internal-sync',
  'blockdev-snapshot-delete-internal-sync',
  'change-backing-file',
  'block_resize',
  'block-set-write-threshold',
  'block_set_io_throttle',
  'block-latency-histogram-set',
  'block-dirty-bitmap-add',
  'block-dirty-bitmap-remove',
  'block-dirty-bitmap-clear',
  'block-dirty-bitmap-enable',
  'block-dirty-bitmap-disable',
  'block-dirty-bitmap-merge',
  'block-job-cancel',
  'block-job-complete',
  'block-job-pause',
  'block-job-resume',
  'block-job-set-speed',
  'block-job-dismiss',
  'block-job-finalize',
  'block-job-change',
  'job-cancel',
  'job-complete',
  'job-pause',
  'job-resume',
  'job-dismiss',
  'job-finalize',
  'transaction',
  'nbd-server-start',
  'nbd-server-stop',
  'nbd-server-add',
  'nbd-server-remove',
  'block-export-add',
  'block-export-del',
  'blockdev-change-medium',
  'blockdev-open-tray',
  'blockdev-close-tray',
  'blockdev-remove-medium',
  'blockdev-insert-medium',
  'eject',
  'x-blockdev-change',
  'blockdev-set-active',
  // limited by argument checks: throttle groups only, and throttle properties only
  'object-add',
  'object-del',
  'qom-set',
]);

/**
 * Commands that reach outside the block layer: processes, file descriptors, devices, the network,
 * guest memory, the VM's life. Refused for every role unless named by --allow-command, even when
 * they look like reads. Names ending in '*' are prefixes.
 */
export const HARD_DENIED: readonly string[] = [
  'human-monitor-command',
  'migrate*',
  'x-migrate*',
  'getfd',
  'get-win32-socket',
  'closefd',
  'add-fd',
  'remove-fd',
  'device_add',
  'device_del',
  'netdev_add',
  'netdev_del',
  'chardev-add',
  'chardev-change',
  'chardev-remove',
  'chardev-send-break',
  'ringbuf-write',
  'quit',
  'system_*',
  'stop',
  'cont',
  'inject-nmi',
  'dump-guest-memory',
  'screendump',
  'memsave',
  'pmemsave',
  'snapshot-save',
  'snapshot-load',
  'snapshot-delete',
  'send-key',
  'input-send-event',
  'set_password',
  'expire_password',
  'x-exit-preconfig',
  'qmp_capabilities', // answered by the proxy itself, never forwarded
];

export function isHardDenied(name: string, allowed: ReadonlySet<string>): boolean {
  if (allowed.has(name)) return false;
  return HARD_DENIED.some((entry) =>
    entry.endsWith('*') ? name.startsWith(entry.slice(0, -1)) : entry === name,
  );
}

/** QOM object types an operator may create with object-add. */
export const OPERATOR_OBJECT_TYPES: ReadonlySet<string> = new Set(['throttle-group']);

/** Properties an operator may change with qom-set: throttle limits, and a device's drive. */
export const OPERATOR_QOM_PROPERTIES: ReadonlySet<string> = new Set(['limits', 'drive']);

/** Commands that start a job or may wait for drained I/O; they get the long timeout. */
export const SLOW_COMMANDS: ReadonlySet<string> = new Set([
  'blockdev-add',
  'blockdev-del',
  'blockdev-create',
  'blockdev-reopen',
  'blockdev-mirror',
  'drive-mirror',
  'blockdev-backup',
  'drive-backup',
  'block-commit',
  'block-stream',
  'blockdev-snapshot',
  'blockdev-snapshot-sync',
  'blockdev-snapshot-internal-sync',
  'blockdev-snapshot-delete-internal-sync',
  'transaction',
  'block-job-complete',
  'job-complete',
  'block_resize',
  'human-monitor-command',
  'x-blockdev-amend',
  'blockdev-amend',
]);
