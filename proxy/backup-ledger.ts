// Which full backup each dirty bitmap of one target counts from. QEMU keeps no such record, and a
// bitmap whose full backup was cancelled goes on recording as if nothing happened; the proxy sees
// every session's commands and every event, so it keeps the record and the multiplexer tells
// every session (X_BLOCKSCOPE_BACKUPS). Learned from:
//   - a successful `transaction` that adds (or clears) bitmap B on node N together with a
//     blockdev-backup/drive-backup of N with sync=full: B counts from that job;
//   - BLOCK_JOB_COMPLETED (with `error` when the job failed) and BLOCK_JOB_CANCELLED, whose
//     `device` is the job id (qapi/block-core.json); JOB_STATUS_CHANGE `created` marks a new job;
//   - a later backup with `bitmap: B`: it resets B when it succeeds (sync=incremental, or
//     bitmap-mode on-success), always (bitmap-mode always, even when it fails), or never;
//   - block-dirty-bitmap-remove/-add drop the record, -clear breaks the chain, blockdev-del of N
//     drops N's records.
// A new connection to QEMU starts empty: what happened while the proxy was away is unknown.
// Everything is bounded; the oldest entries go first.
import type {
  BackupBitmapMode,
  BackupLedgerData,
  BackupRecord,
  BackupRun,
} from '../src/qmp/backup-records.ts';
import type { JsonObject, JsonValue, QmpEvent } from '../src/qmp/wire.ts';
import { readBackupActions, type BackupStart } from './backup-actions.ts';
import { filesFromNodes, TargetFiles } from './backup-target-files.ts';

export interface LedgerLimits {
  /** Bitmap records per target. */
  maxRecords: number;
  /** Backup jobs followed at once, and outcomes kept for jobs whose command is not answered yet. */
  maxJobs: number;
  /** Files of nodes added on this connection (backup-target-files.ts). */
  maxNodes: number;
}

export const DEFAULT_LEDGER_LIMITS: LedgerLimits = {
  maxRecords: 256,
  maxJobs: 256,
  maxNodes: 1024,
};

/** The commands whose success can change the ledger. */
export const LEDGER_COMMANDS: ReadonlySet<string> = new Set([
  'transaction',
  'blockdev-backup',
  'drive-backup',
  'block-dirty-bitmap-add',
  'block-dirty-bitmap-remove',
  'block-dirty-bitmap-clear',
  'blockdev-add',
  'blockdev-del',
]);

type Outcome = Pick<BackupRun, 'state' | 'error'>;

interface Followed {
  run: BackupRun;
  key: string;
  node: string;
  bitmap: string;
  /** `full`: the run a new record counts from; `bitmap`: a run from an existing bitmap. */
  role: 'full' | 'bitmap';
  /** No job-id was given: `run.job` is the device as given until query-block says otherwise. */
  guessed?: 'new' | 'asked';
}

const keyOf = (node: string, bitmap: string) => JSON.stringify([node, bitmap]);

/** Inserts as the newest entry and drops the oldest beyond `max`. */
function putNewest<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  while (map.size > max) map.delete(map.keys().next().value as K);
}

/** Whether a finished run reset its bitmap (qapi/block-core.json BitmapSyncMode). */
function resets(mode: BackupBitmapMode | undefined, state: BackupRun['state']): boolean {
  return mode === 'always' || (mode === 'on-success' && state === 'completed');
}

export class BackupLedger {
  private readonly records = new Map<string, BackupRecord>();
  private readonly followed = new Map<string, Followed>();
  /** Outcomes of jobs that ended before their command's reply was seen (same read from QEMU). */
  private readonly early = new Map<string, Outcome>();
  private readonly files: TargetFiles;
  /** Counts resets, so a late reply from an earlier connection is not taken for this one. */
  generation = 0;

  constructor(
    private readonly limits: LedgerLimits = DEFAULT_LEDGER_LIMITS,
    private readonly now: () => number = Date.now,
  ) {
    this.files = new TargetFiles(limits.maxNodes);
  }

  get size(): number {
    return this.records.size;
  }

  /** A command QEMU answered with success. Returns true when the ledger changed. */
  commandSucceeded(command: string, args: JsonObject): boolean {
    if (command === 'blockdev-add') {
      this.files.nodeAdded(args);
      return false;
    }
    if (command === 'blockdev-del') return this.nodeDeleted(args['node-name']);
    const { bitmaps, backups } = readBackupActions(command, args);
    let changed = false;
    const paired = new Set<string>();
    // Only one transaction makes the bitmap and the backup start at the same instant.
    if (command === 'transaction') {
      for (const b of bitmaps) {
        if (b.verb === 'remove') continue;
        const full = backups.find((s) => s.node === b.node && s.sync === 'full' && !s.bitmap);
        if (!full) continue;
        this.startRecord(b.node, b.name, this.runOf(full), !full.jobNamed);
        paired.add(keyOf(b.node, b.name));
        changed = true;
      }
    }
    for (const b of bitmaps) {
      const key = keyOf(b.node, b.name);
      if (paired.has(key)) continue;
      const record = this.records.get(key);
      if (!record) continue;
      if (b.verb === 'clear') {
        record.broken = { cause: 'cleared', at: this.now() };
      } else {
        // removed, or added anew (so the recorded one is gone)
        this.records.delete(key);
      }
      changed = true;
    }
    for (const start of backups) {
      if (start.bitmap) changed = this.startFromBitmap(start, start.bitmap) || changed;
    }
    return changed;
  }

  /** An event from QEMU. Returns true when the ledger changed. */
  event(event: QmpEvent): boolean {
    const data = event.data ?? {};
    if (event.event === 'JOB_STATUS_CHANGE') {
      // A new job with this id: an outcome kept for an earlier one is not its outcome.
      if (data.status === 'created' && typeof data.id === 'string') this.early.delete(data.id);
      return false;
    }
    if (typeof data.device !== 'string') return false;
    if (event.event === 'BLOCK_JOB_CANCELLED')
      return this.ended(data.device, { state: 'cancelled' });
    if (event.event !== 'BLOCK_JOB_COMPLETED') return false;
    return this.ended(
      data.device,
      typeof data.error === 'string'
        ? { state: 'failed', error: data.error }
        : { state: 'completed' },
    );
  }

  /** A new connection to QEMU: nothing recorded so far can be trusted. True if records went. */
  reset(): boolean {
    const had = this.records.size > 0;
    this.generation++;
    this.records.clear();
    this.followed.clear();
    this.early.clear();
    this.files.clear();
    return had;
  }

  /** Target nodes whose file is not known yet and has not been asked for (each asked once). */
  nodesToLookUp(): string[] {
    const wanted = new Set<string>();
    for (const run of this.runs()) {
      if (run.file === undefined && run.target !== undefined && this.files.firstAsk(run.target))
        wanted.add(run.target);
    }
    return [...wanted];
  }

  /** Fills in target files from a `query-named-block-nodes` reply. True when one was learned. */
  learnNodes(reply: JsonValue): boolean {
    const files = filesFromNodes(reply);
    let changed = false;
    for (const run of this.runs()) {
      const known = run.target !== undefined && run.file === undefined && files.get(run.target);
      if (!known || known.file === undefined) continue;
      run.file = known.file;
      if (known.format !== undefined && run.format === undefined) run.format = known.format;
      changed = true;
    }
    return changed;
  }

  /** Whether a job started without job-id was newly followed under a guessed id (each once). */
  jobsToResolve(): boolean {
    let any = false;
    for (const f of this.followed.values()) {
      if (f.guessed !== 'new') continue;
      f.guessed = 'asked';
      any = true;
    }
    return any;
  }

  /**
   * Settles guessed job ids from a `query-block` reply: QEMU names such a job after the
   * BlockBackend (`device`) whose root node the command's device is, or that device itself.
   * True when an id changed (with any outcome already seen under the right one).
   */
  resolveJobs(reply: JsonValue): boolean {
    const blocks = Array.isArray(reply) ? reply : [];
    const backendOf = (node: string): string | undefined => {
      for (const b of blocks) {
        if (typeof b !== 'object' || b === null || Array.isArray(b)) continue;
        const name = typeof b.device === 'string' ? b.device : '';
        const inserted = b.inserted;
        const root =
          typeof inserted === 'object' && inserted !== null && !Array.isArray(inserted)
            ? inserted['node-name']
            : undefined;
        if (name !== '' && (name === node || root === node)) return name;
      }
      return undefined;
    };
    let changed = false;
    for (const followed of [...this.followed.values()]) {
      if (!followed.guessed) continue;
      delete followed.guessed;
      const job = backendOf(followed.node);
      if (job === undefined || job === followed.run.job) continue;
      this.followed.delete(followed.run.job);
      followed.run.job = job;
      this.follow(followed);
      changed = true;
    }
    return changed;
  }

  /** The whole ledger, oldest record first, as the event carries it (a copy). */
  data(): BackupLedgerData {
    return structuredClone({ backups: [...this.records.values()] });
  }

  private *runs(): Generator<BackupRun> {
    for (const r of this.records.values()) {
      yield r.full;
      if (r.lastIncremental) yield r.lastIncremental;
      if (r.runningIncremental) yield r.runningIncremental;
    }
  }

  private runOf(start: BackupStart): BackupRun {
    const run: BackupRun = {
      job: start.job,
      sync: start.sync,
      state: 'running',
      startedAt: this.now(),
    };
    if (start.mode) run.mode = start.mode;
    if (start.target !== undefined) {
      run.target = start.target;
      const { file, format } = this.files.known(start.target);
      if (file !== undefined) run.file = file;
      if (format !== undefined) run.format = format;
    }
    if (start.file !== undefined) run.file = start.file;
    if (start.format !== undefined) run.format = start.format;
    return run;
  }

  private startRecord(node: string, bitmap: string, full: BackupRun, guessed: boolean): void {
    const key = keyOf(node, bitmap);
    putNewest(this.records, key, { node, bitmap, full }, this.limits.maxRecords);
    this.follow({
      run: full,
      key,
      node,
      bitmap,
      role: 'full',
      ...(guessed ? { guessed: 'new' as const } : {}),
    });
  }

  private startFromBitmap(start: BackupStart, bitmap: string): boolean {
    const key = keyOf(start.node, bitmap);
    const record = this.records.get(key);
    // A full backup that resets an unrecorded bitmap starts a record when it ends; any other run
    // from an unrecorded bitmap tells nothing about where the bitmap counts from.
    if (!record && start.sync !== 'full') return false;
    const run = this.runOf(start);
    if (record) record.runningIncremental = run;
    const ended = this.follow({
      run,
      key,
      node: start.node,
      bitmap,
      role: 'bitmap',
      ...(start.jobNamed ? {} : { guessed: 'new' as const }),
    });
    return record !== undefined || ended;
  }

  /** Follows a job; true when it had already ended and that changed the ledger. */
  private follow(followed: Followed): boolean {
    putNewest(this.followed, followed.run.job, followed, this.limits.maxJobs);
    const outcome = this.early.get(followed.run.job);
    if (!outcome) return false;
    this.early.delete(followed.run.job);
    return this.ended(followed.run.job, outcome);
  }

  private ended(job: string, outcome: Outcome): boolean {
    const followed = this.followed.get(job);
    if (!followed) {
      putNewest(this.early, job, outcome, this.limits.maxJobs);
      return false;
    }
    this.followed.delete(job);
    const { run } = followed;
    run.state = outcome.state;
    if (outcome.error !== undefined) run.error = outcome.error;
    run.endedAt = this.now();
    const record = this.records.get(followed.key);
    if (followed.role === 'full') return record?.full === run;
    if (record?.runningIncremental === run) delete record.runningIncremental;
    if (!resets(run.mode, run.state)) return record !== undefined;
    if (run.sync === 'full') {
      // A full backup that reset the bitmap: the bitmap now counts from it, as from a new record.
      putNewest(
        this.records,
        followed.key,
        { node: followed.node, bitmap: followed.bitmap, full: run },
        this.limits.maxRecords,
      );
      return true;
    }
    if (!record) return false;
    record.lastIncremental = run;
    if (run.state !== 'completed') {
      record.broken = { cause: 'incomplete-backup', job, at: run.endedAt };
    }
    return true;
  }

  private nodeDeleted(name: JsonValue | undefined): boolean {
    if (typeof name !== 'string') return false;
    this.files.nodeDeleted(name);
    let changed = false;
    for (const [key, record] of this.records) {
      if (record.node !== name) continue;
      this.records.delete(key);
      changed = true;
    }
    return changed;
  }
}
