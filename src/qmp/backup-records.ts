// The proxy's record of which backup each dirty bitmap counts from, as the X_BLOCKSCOPE_BACKUPS
// event carries it. QEMU keeps no such record: a bitmap only says which clusters changed since it
// was added or last reset, not since which backup. Env-neutral: the proxy builds these records,
// the page parses them here, once, at the boundary. Every string in them came from QEMU or from
// a client's command: it is data, shown as text.

/** How a backup job ended (qapi/block-core.json BLOCK_JOB_COMPLETED, BLOCK_JOB_CANCELLED). */
export type BackupRunState = 'running' | 'completed' | 'failed' | 'cancelled';

/** The bitmap mode of a backup that uses a bitmap (qapi/block-core.json BitmapSyncMode). */
export type BackupBitmapMode = 'on-success' | 'always' | 'never';

/** One backup job as a command started it. */
export interface BackupRun {
  job: string;
  /** `full`, `incremental`, `bitmap` … as the command said. */
  sync: string;
  /** Only for a run that used a bitmap. */
  mode?: BackupBitmapMode;
  /** The target node (blockdev-backup); absent for drive-backup, whose target is a file. */
  target?: string;
  /** The target's image file, when the proxy knows it. */
  file?: string;
  /** The target's format (driver), when the proxy knows it. */
  format?: string;
  state: BackupRunState;
  /** QEMU's error, when the job failed. */
  error?: string;
  /** Proxy clock, milliseconds since the epoch. */
  startedAt: number;
  endedAt?: number;
}

/** Why the chain of a bitmap broke after its full backup: the bitmap was reset without a backup. */
export interface BackupChainBreak {
  /** `cleared`: block-dirty-bitmap-clear; `incomplete-backup`: a backup in mode `always` ended badly. */
  cause: 'cleared' | 'incomplete-backup';
  /** The backup that reset the bitmap (cause `incomplete-backup`). */
  job?: string;
  at: number;
}

/** Bitmap `bitmap` on node `node` counts from `full` (or the last incremental after it). */
export interface BackupRecord {
  /** The node (or device) name as the commands gave it. */
  node: string;
  bitmap: string;
  full: BackupRun;
  /** The latest backup from this bitmap that reset it: the next one counts from its end. */
  lastIncremental?: BackupRun;
  /** A backup from this bitmap still running. */
  runningIncremental?: BackupRun;
  /** Set once the chain cannot be trusted any more, whatever follows, until a new full backup. */
  broken?: BackupChainBreak;
}

export interface BackupLedgerData {
  backups: BackupRecord[];
}

const STATES = new Set<string>(['running', 'completed', 'failed', 'cancelled']);
const MODES = new Set<string>(['on-success', 'always', 'never']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const optionalString = (value: unknown) => (typeof value === 'string' ? value : undefined);

function parseRun(value: unknown): BackupRun | null {
  if (!isRecord(value)) return null;
  const { job, sync, state, startedAt } = value;
  if (typeof job !== 'string' || typeof sync !== 'string') return null;
  if (typeof state !== 'string' || !STATES.has(state) || typeof startedAt !== 'number') return null;
  const run: BackupRun = { job, sync, state: state as BackupRunState, startedAt };
  if (typeof value.mode === 'string' && MODES.has(value.mode)) {
    run.mode = value.mode as BackupBitmapMode;
  }
  for (const key of ['target', 'file', 'format', 'error'] as const) {
    const text = optionalString(value[key]);
    if (text !== undefined) run[key] = text;
  }
  if (typeof value.endedAt === 'number') run.endedAt = value.endedAt;
  return run;
}

function parseBreak(value: unknown): BackupChainBreak | undefined {
  if (!isRecord(value) || typeof value.at !== 'number') return undefined;
  if (value.cause !== 'cleared' && value.cause !== 'incomplete-backup') return undefined;
  const job = optionalString(value.job);
  return { cause: value.cause, at: value.at, ...(job !== undefined ? { job } : {}) };
}

function parseRecord(value: unknown): BackupRecord | null {
  if (!isRecord(value)) return null;
  const { node, bitmap } = value;
  const full = parseRun(value.full);
  if (typeof node !== 'string' || typeof bitmap !== 'string' || !full) return null;
  const record: BackupRecord = { node, bitmap, full };
  const last = parseRun(value.lastIncremental);
  if (last) record.lastIncremental = last;
  const running = parseRun(value.runningIncremental);
  if (running) record.runningIncremental = running;
  const broken = parseBreak(value.broken);
  if (broken) record.broken = broken;
  return record;
}

/** The event's data, or null when it is not a ledger; malformed records are left out. */
export function parseBackupLedger(value: unknown): BackupLedgerData | null {
  if (!isRecord(value) || !Array.isArray(value.backups)) return null;
  return {
    backups: value.backups.map(parseRecord).filter((r): r is BackupRecord => r !== null),
  };
}
