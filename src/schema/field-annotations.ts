// What introspection cannot say (qmp-domain.md §2.5, §2.6): which plain `str` members name a
// block node or a job, which integers are byte counts or speeds, and friendlier captions.
// A small hand-written overlay keyed by member name, narrowed by command where names are reused.
import type { IntegerRange } from './units.ts';

export type RefKind = 'node' | 'job' | 'bitmap';
export type Unit = 'bytes' | 'bytes/s' | 'ops/s';

/** Members that name an existing block node (node-name or, for root nodes, a device name). */
const NODE_REF_MEMBERS = new Set([
  'device',
  'node',
  'node-name',
  'base-node',
  'top-node',
  'overlay',
  'replaces',
  'parent',
]);

/** Commands whose `target` is a node reference (in drive-* commands it is a file name). */
const NODE_TARGET_COMMANDS = new Set(['blockdev-mirror', 'blockdev-backup', 'transaction']);

/**
 * Commands whose `node-name` members create new names rather than naming existing nodes
 * (blockdev-reopen is absent on purpose: there `node-name` picks the node to reopen).
 */
const NEW_NODE_COMMANDS = new Set(['blockdev-add', 'blockdev-create']);

function isJobCommand(command: string): boolean {
  return command.startsWith('job-') || command.startsWith('block-job-');
}

/**
 * The kind of live object a string member refers to, or undefined.
 * `path` is the member path from the arguments' root, `command` the command being filled.
 */
export function refKindFor(command: string, path: string[]): RefKind | undefined {
  const name = path[path.length - 1] ?? '';
  // job-*/block-job-* act on an existing job, named `id` (job-*) or `device` (block-job-*).
  if (isJobCommand(command) && (name === 'id' || name === 'device')) return 'job';
  if (name === 'bitmap' || (name === 'name' && command.includes('dirty-bitmap'))) return 'bitmap';
  if (name === 'target') return NODE_TARGET_COMMANDS.has(command) ? 'node' : undefined;
  if (name === 'node-name' && NEW_NODE_COMMANDS.has(command)) return undefined;
  return NODE_REF_MEMBERS.has(name) ? 'node' : undefined;
}

const BYTE_MEMBERS = new Set([
  'size',
  'granularity',
  'buf-size',
  'cluster-size',
  'bps',
  'bps_rd',
  'bps_wr',
  'bps_max',
  'bps_rd_max',
  'bps_wr_max',
  'iops_size',
  'refcount-cache-size',
  'l2-cache-size',
  'l2-cache-entry-size',
  'cache-size',
  'extent-size-hint',
  'bytes',
  'len',
  'offset',
  'max-chunk',
]);

const SPEED_MEMBERS = new Set(['speed']);

/** Units for integer members; `bps*` throttle limits are bytes per second. */
export function unitFor(path: string[]): Unit | undefined {
  const name = path[path.length - 1] ?? '';
  if (SPEED_MEMBERS.has(name)) return 'bytes/s';
  if (/^bps[-_]/.test(name) || name === 'bps') return 'bytes/s';
  if (/^iops[-_](?!size)/.test(name) || name === 'iops') return 'ops/s';
  if (BYTE_MEMBERS.has(name)) return 'bytes';
  return undefined;
}

/** Extra constraints beyond the integer type (granularity: QAPI doc of block-dirty-bitmap-add). */
export function extraIntegerCheck(path: string[], value: bigint): string | null {
  const name = path[path.length - 1] ?? '';
  if (name === 'granularity' && value !== 0n) {
    const powerOfTwo = (value & (value - 1n)) === 0n;
    if (!powerOfTwo || value < 512n || value > 64n << 20n)
      return 'must be a power of 2 between 512 and 64M';
  }
  return null;
}

/** Ranges assumed when no QAPI source says the integer's width: counts and sizes are >= 0. */
export function defaultRange(unit: Unit | undefined): IntegerRange | undefined {
  return unit ? { min: 0n, max: (1n << 63n) - 1n } : undefined;
}

const CAPTIONS: Record<string, string> = {
  'job-id': 'Job ID',
  'node-name': 'Node name',
  device: 'Device or node',
  target: 'Target',
  sync: 'Sync mode',
  speed: 'Speed limit',
  'base-node': 'Base node',
  'top-node': 'Top node',
  'auto-finalize': 'Finalize automatically',
  'auto-dismiss': 'Dismiss automatically',
  driver: 'Driver',
  filename: 'File name',
  'read-only': 'Read-only',
  writable: 'Writable',
  granularity: 'Granularity',
};

export function captionFor(name: string): string | undefined {
  return CAPTIONS[name];
}
