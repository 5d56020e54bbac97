// What the backup ledger says about one dirty bitmap: which backup it counts from, and whether an
// incremental backup from it would be complete. One rule for every view and plan (React-free).
// A bitmap resets when a backup from it succeeds (qapi/block-core.json BitmapSyncMode), so it
// counts from the end of the last backup that reset it, and a chain is only as good as its full
// backup: a cancelled or failed one, or a reset without a complete backup, breaks it for good.
import type { BackupRecord, BackupRun } from '../qmp/backup-records.ts';

export type BitmapOrigin =
  /** No record: added before the proxy ran, by hand, or through another monitor. */
  | { kind: 'unknown' }
  /** Its full backup is still running. */
  | { kind: 'waiting'; record: BackupRecord; reason: string }
  | { kind: 'untrusted'; record: BackupRecord; reason: string }
  /** `base` is the backup the next incremental continues: the last incremental, else the full. */
  | { kind: 'trusted'; record: BackupRecord; base: BackupRun };

/**
 * The record of bitmap `bitmap` on a node known by `names` (its node-name first, then the
 * BlockBackend names a command may have used for it instead).
 */
export function findBackupRecord(
  records: readonly BackupRecord[] | undefined,
  names: readonly string[],
  bitmap: string,
): BackupRecord | undefined {
  // The newest record wins: records come oldest first.
  return records?.filter((r) => r.bitmap === bitmap && names.includes(r.node)).at(-1);
}

function fullState(run: BackupRun): string {
  if (run.state === 'failed') return `failed${run.error ? ` (${run.error})` : ''}`;
  return run.state === 'cancelled' ? 'was cancelled' : run.state;
}

export function bitmapOrigin(record: BackupRecord | undefined): BitmapOrigin {
  if (!record) return { kind: 'unknown' };
  const { full, broken } = record;
  if (full.state === 'failed' || full.state === 'cancelled') {
    return {
      kind: 'untrusted',
      record,
      reason: `its full backup '${full.job}' ${fullState(full)}: an incremental from it would be incomplete`,
    };
  }
  if (broken) {
    return {
      kind: 'untrusted',
      record,
      reason:
        broken.cause === 'cleared'
          ? `it was cleared after its full backup '${full.job}': an incremental from it would miss the writes before the clear`
          : `backup '${broken.job ?? '?'}' reset it without completing (bitmap mode always): an incremental from it would be incomplete`,
    };
  }
  if (full.state === 'running') {
    return {
      kind: 'waiting',
      record,
      reason: `its full backup '${full.job}' is still running: an incremental from it now would be incomplete`,
    };
  }
  return { kind: 'trusted', record, base: record.lastIncremental ?? full };
}

/**
 * The image a new incremental's qcow2 should have as its backing file: the previous backup's
 * file and format, when the bitmap is trusted and both are known.
 */
export function previousBackupImage(origin: BitmapOrigin): { file: string; format: string } | null {
  if (origin.kind !== 'trusted') return null;
  const { file, format } = origin.base;
  if (file === undefined || format === undefined) return null;
  // A target that is a protocol node holds a raw image.
  const imageFormat = ['file', 'host_device', 'host_cdrom'].includes(format) ? 'raw' : format;
  if (imageFormat !== 'qcow2' && imageFormat !== 'raw') return null;
  return { file, format: imageFormat };
}

function runText(what: string, run: BackupRun): string {
  const where = run.file ?? run.target;
  return `${what} '${run.job}' (${run.state})${where !== undefined ? ` → ${where}` : ''}`;
}

/** One line for where a bitmap counts from, as views show it (plain text; names are data). */
export function describeOrigin(origin: BitmapOrigin): string {
  if (origin.kind === 'unknown') {
    return 'origin unknown: no full backup recorded for it (added before the proxy ran, or by another tool)';
  }
  const { full, lastIncremental, runningIncremental } = origin.record;
  const parts = [`counts from ${runText('full backup', full)}`];
  if (lastIncremental) parts.push(`last ${runText('incremental', lastIncremental)}`);
  if (runningIncremental) parts.push(runText('backup', runningIncremental));
  return parts.join('; ');
}
