// Reads the bitmap and backup actions out of one command QEMU accepted: a `transaction` (its
// actions are `{type, data}`, qapi/transaction.json TransactionAction) or the same commands sent
// alone. Only what the backup ledger needs; anything malformed is skipped (QEMU accepted it, so
// it is well formed, but the ledger does not rely on that).
import type { BackupBitmapMode } from '../src/qmp/backup-records.ts';
import type { JsonObject, JsonValue } from '../src/qmp/wire.ts';

export interface BitmapAction {
  verb: 'add' | 'clear' | 'remove';
  node: string;
  name: string;
}

export interface BackupStart {
  job: string;
  /** False when the command gave no job-id and `job` is only the device name it gave. */
  jobNamed: boolean;
  /** The source (blockdev-backup/drive-backup `device`). */
  node: string;
  sync: string;
  bitmap?: string;
  mode?: BackupBitmapMode;
  /** blockdev-backup's target node. */
  target?: string;
  /** drive-backup's target file and format. */
  file?: string;
  format?: string;
}

const BITMAP_VERBS = new Map<string, BitmapAction['verb']>([
  ['block-dirty-bitmap-add', 'add'],
  ['block-dirty-bitmap-clear', 'clear'],
  ['block-dirty-bitmap-remove', 'remove'],
]);

const MODES = new Set(['on-success', 'always', 'never']);

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const text = (value: JsonValue | undefined) => (typeof value === 'string' ? value : undefined);

function backupStart(type: string, data: JsonObject): BackupStart | null {
  const node = text(data.device);
  const sync = text(data.sync);
  if (node === undefined || sync === undefined) return null;
  // qapi/block-core.json BackupCommon: without job-id, the job is named after the device (the
  // name of the BlockBackend `device` is or belongs to; backup-ledger.ts checks which).
  const jobId = text(data['job-id']);
  const start: BackupStart = { job: jobId ?? node, jobNamed: jobId !== undefined, node, sync };
  const bitmap = text(data.bitmap);
  if (bitmap !== undefined) {
    start.bitmap = bitmap;
    // sync=incremental is sync=bitmap with bitmap-mode on-success (its only allowed mode).
    const mode = sync === 'incremental' ? 'on-success' : text(data['bitmap-mode']);
    if (mode !== undefined && MODES.has(mode)) start.mode = mode as BackupBitmapMode;
  }
  const target = text(data.target);
  if (type === 'blockdev-backup') {
    if (target !== undefined) start.target = target;
  } else {
    if (target !== undefined) start.file = target;
    const format = text(data.format);
    if (format !== undefined) start.format = format;
  }
  return start;
}

export function readBackupActions(
  command: string,
  args: JsonObject,
): { bitmaps: BitmapAction[]; backups: BackupStart[] } {
  const actions: { type: string; data: JsonObject }[] = [];
  if (command === 'transaction') {
    const list = args.actions;
    for (const action of Array.isArray(list) ? list : []) {
      if (!isObject(action)) continue;
      const type = text(action.type);
      if (type !== undefined && isObject(action.data)) actions.push({ type, data: action.data });
    }
  } else {
    actions.push({ type: command, data: args });
  }
  const bitmaps: BitmapAction[] = [];
  const backups: BackupStart[] = [];
  for (const { type, data } of actions) {
    const verb = BITMAP_VERBS.get(type);
    if (verb) {
      const node = text(data.node);
      const name = text(data.name);
      if (node !== undefined && name !== undefined) bitmaps.push({ verb, node, name });
    } else if (type === 'blockdev-backup' || type === 'drive-backup') {
      const start = backupStart(type, data);
      if (start) backups.push(start);
    }
  }
  return { bitmaps, backups };
}
