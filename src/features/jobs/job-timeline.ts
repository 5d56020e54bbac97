// Per-job history built from QMP events: states with timestamps, READY/PENDING/COMPLETED/
// CANCELLED markers, and errors. This is a record of what was seen, not job state (QEMU's
// query answers are the truth); it is what lets a finished job stay listed with its outcome
// after QEMU has forgotten it.
// JOB_STATUS_CHANGE and BLOCK_JOB_PENDING name the job by `id`; the other BLOCK_JOB_* events
// by `device`, which is the job id too (qmp-domain.md §4.2).
// Two runs of the same job id are two histories: the latest under the id, each earlier one under
// `${id}#${n}` (h.id stays the job id). The proxy's command notices (ProxyEvent.CommandDone) say
// how a job was asked to end, which QEMU's events alone cannot tell: a mirror cancelled after
// BLOCK_JOB_READY ends with BLOCK_JOB_COMPLETED, without switching to its target
// (qapi/block-core.json, block-job-cancel).
import { ProxyEvent, type JsonObject, type QmpEvent } from '../../qmp/wire.ts';

export interface TimelineEntry {
  /** Epoch ms from QEMU's event timestamp (or arrival time when QEMU sent -1). */
  t: number;
  kind: 'status' | 'ready' | 'pending' | 'completed' | 'cancelled' | 'error';
  /** The new status for `status`; the operation and action for `error`; QEMU's text otherwise. */
  text: string;
  /** Identical consecutive entries (a burst of BLOCK_JOB_ERROR) are counted, not repeated. */
  count: number;
  lastT: number;
}

/** `gone`: QEMU stopped listing the job while we were not watching its events. */
export type JobOutcome = 'completed' | 'cancelled' | 'failed' | 'gone';

export interface JobHistory {
  id: string;
  type: string | undefined;
  entries: TimelineEntry[];
  /** Errors stay until the job is dismissed (or the history is cleared). */
  errors: string[];
  outcome: JobOutcome | undefined;
  /** QEMU's error text from BLOCK_JOB_COMPLETED or from the last read of query-jobs. */
  errorText: string | undefined;
  createdAt: number | undefined;
  /** Browser-clock arrival of `created` and `concluded`, for elapsed time without clock skew. */
  seenCreatedAt: number | undefined;
  seenConcludedAt: number | undefined;
  /** Browser-clock arrival of the latest event about this job. */
  lastSeenAt: number | undefined;
  /** Set when the job reached `null` (dismissed, by hand or automatically). */
  endedAt: number | undefined;
  lastStatus: string | undefined;
  /** The last command that asked the job to end, from the proxy's notices. */
  finish?: JobFinish;
}

export interface JobFinish {
  /** 'complete': job-complete / block-job-complete; 'cancel': job-cancel / block-job-cancel. */
  verb: 'complete' | 'cancel';
  /** A cancel sent while the job was ready (or paused while ready). */
  whileReady: boolean;
  command: string;
  role: string | undefined;
}

export type Timeline = Readonly<Record<string, JobHistory>>;

const MAX_ENTRIES = 200;

export function eventTime(event: QmpEvent, arrivedAt: number): number {
  const { seconds, microseconds } = event.timestamp;
  return seconds >= 0 ? seconds * 1000 + Math.floor(microseconds / 1000) : arrivedAt;
}

function jobIdOf(event: QmpEvent): string | undefined {
  const data = event.data ?? {};
  const key =
    event.event === 'JOB_STATUS_CHANGE' || event.event === 'BLOCK_JOB_PENDING' ? 'id' : 'device';
  const value = data[key];
  return typeof value === 'string' ? value : undefined;
}

function emptyHistory(id: string): JobHistory {
  return {
    id,
    type: undefined,
    entries: [],
    errors: [],
    outcome: undefined,
    errorText: undefined,
    createdAt: undefined,
    seenCreatedAt: undefined,
    seenConcludedAt: undefined,
    lastSeenAt: undefined,
    endedAt: undefined,
    lastStatus: undefined,
  };
}

/** How many identical events one fold stands for (an entry of the proxy's history), and until when. */
export interface Repeat {
  count: number;
  lastT: number;
  lastArrivedAt: number;
}

function push(
  history: JobHistory,
  entry: Omit<TimelineEntry, 'count' | 'lastT'>,
  repeat?: Repeat,
): JobHistory {
  const count = repeat?.count ?? 1;
  const lastT = repeat?.lastT ?? entry.t;
  const previous = history.entries[history.entries.length - 1];
  if (
    previous &&
    previous.kind === entry.kind &&
    previous.text === entry.text &&
    entry.kind === 'error'
  ) {
    const merged = { ...previous, count: previous.count + count, lastT };
    return { ...history, entries: [...history.entries.slice(0, -1), merged] };
  }
  const entries = [...history.entries, { ...entry, count, lastT }];
  return { ...history, entries: entries.slice(-MAX_ENTRIES) };
}

const JOB_EVENTS = new Set([
  'JOB_STATUS_CHANGE',
  'BLOCK_JOB_READY',
  'BLOCK_JOB_PENDING',
  'BLOCK_JOB_COMPLETED',
  'BLOCK_JOB_CANCELLED',
  'BLOCK_JOB_ERROR',
]);

export function isJobEvent(name: string): boolean {
  return JOB_EVENTS.has(name);
}

/** The key an ended run of `id` moves to when the id is used again: `${id}#1`, `${id}#2`, … */
function withRunKept(timeline: Timeline, id: string): Record<string, JobHistory> {
  const next: Record<string, JobHistory> = { ...timeline };
  const old = next[id];
  if (!old) return next;
  let n = 1;
  while (next[`${id}#${n}`]) n++;
  next[`${id}#${n}`] = old;
  delete next[id];
  return next;
}

const FINISH_COMMANDS: Record<string, { verb: JobFinish['verb']; key: string }> = {
  'block-job-complete': { verb: 'complete', key: 'device' },
  'job-complete': { verb: 'complete', key: 'id' },
  'block-job-cancel': { verb: 'cancel', key: 'device' },
  'job-cancel': { verb: 'cancel', key: 'id' },
};

/** Commands that start a job, and its type (qapi/block-core.json; a block job without job-id is named by its device). */
const START_COMMANDS: Record<string, string> = {
  'blockdev-create': 'create',
  'blockdev-mirror': 'mirror',
  'drive-mirror': 'mirror',
  'blockdev-backup': 'backup',
  'drive-backup': 'backup',
  'block-commit': 'commit',
  'block-stream': 'stream',
};

/**
 * A job started through the proxy: its type, which QEMU's JOB_STATUS_CHANGE does not carry and
 * a short job (an image creation) may end before any answer lists it. QEMU announces `created`
 * before it answers the command, so the history the notice names is this run's, even one that
 * already ended.
 */
function withStarted(timeline: Timeline, data: JsonObject, type: string): Timeline {
  const id = typeof data['job-id'] === 'string' ? data['job-id'] : data.device;
  if (typeof id !== 'string') return timeline;
  const h = timeline[id] ?? emptyHistory(id);
  return h.type ? timeline : { ...timeline, [id]: { ...h, type } };
}

/** Statuses of a job on its way out: the one before them is what it was when asked to end. */
const ENDING = new Set(['waiting', 'pending', 'aborting', 'concluded', 'null']);

/**
 * A notice that a command asking a job to end succeeded. It can arrive after the job's own end
 * events (QEMU may write them in the same read as the reply), so "while ready" is the status
 * before the job began to end, not the latest one. job-cancel always forces (qapi/job.json), so
 * only block-job-cancel without force keeps a ready mirror's source; the outcome tells which
 * (BLOCK_JOB_COMPLETED then, BLOCK_JOB_CANCELLED for a forced cancel).
 */
function withFinish(timeline: Timeline, event: QmpEvent): Timeline {
  const data = event.data ?? {};
  const started = START_COMMANDS[String(data.command)];
  if (started) return withStarted(timeline, data, started);
  const known = FINISH_COMMANDS[String(data.command)];
  const id = known && data[known.key];
  if (!known || typeof id !== 'string') return timeline;
  const h = timeline[id];
  if (!h) return timeline;
  const before = h.entries.findLast((e) => e.kind === 'status' && !ENDING.has(e.text))?.text;
  const wasReady = before === 'ready' || before === 'standby' || h.lastStatus === 'ready';
  const finish: JobFinish = {
    verb: known.verb,
    whileReady: known.verb === 'cancel' && wasReady,
    command: String(data.command),
    role: typeof data.role === 'string' ? data.role : undefined,
  };
  return { ...timeline, [id]: { ...h, finish } };
}

/**
 * Folds one QMP event into the timeline; unrelated events return the same object. `repeat`:
 * the event stands for that many identical ones (an entry of the proxy's history).
 */
export function reduceTimeline(
  timeline: Timeline,
  event: QmpEvent,
  arrivedAt: number,
  repeat?: Repeat,
): Timeline {
  if (event.event === ProxyEvent.CommandDone) return withFinish(timeline, event);
  if (event.event === ProxyEvent.JobError) {
    const { id, error } = event.data ?? {};
    if (typeof id !== 'string' || typeof error !== 'string' || !timeline[id]) return timeline;
    return withReportedError(timeline, id, error);
  }
  if (!JOB_EVENTS.has(event.event)) return timeline;
  const id = jobIdOf(event);
  if (!id) return timeline;
  const t = eventTime(event, arrivedAt);
  const data = event.data ?? {};
  // A job id used again after its predecessor ended: the new run gets its own history.
  if (
    timeline[id]?.endedAt !== undefined &&
    event.event === 'JOB_STATUS_CHANGE' &&
    data.status === 'created'
  ) {
    timeline = withRunKept(timeline, id);
  }
  let h = timeline[id] ?? emptyHistory(id);
  h = { ...h, lastSeenAt: repeat?.lastArrivedAt ?? arrivedAt };
  if (typeof data.type === 'string') h = { ...h, type: data.type };
  switch (event.event) {
    case 'JOB_STATUS_CHANGE': {
      const status = String(data.status);
      h = push({ ...h, lastStatus: status }, { t, kind: 'status', text: status });
      if (status === 'created') h = { ...h, createdAt: t, seenCreatedAt: arrivedAt };
      if (status === 'concluded') h = { ...h, seenConcludedAt: arrivedAt };
      if (status === 'concluded' && !h.outcome)
        h = { ...h, outcome: h.errors.length ? 'failed' : 'completed' };
      if (status === 'null') h = { ...h, endedAt: t };
      break;
    }
    case 'BLOCK_JOB_READY':
      h = push(h, { t, kind: 'ready', text: 'ready to complete' });
      break;
    case 'BLOCK_JOB_PENDING':
      h = push(h, { t, kind: 'pending', text: 'waiting to be finalized' });
      break;
    case 'BLOCK_JOB_COMPLETED': {
      const error = typeof data.error === 'string' ? data.error : undefined;
      h = push(h, { t, kind: 'completed', text: error ? `failed: ${error}` : 'completed' });
      h = error
        ? { ...h, outcome: 'failed', errorText: error, errors: [...h.errors, error] }
        : { ...h, outcome: 'completed' };
      break;
    }
    case 'BLOCK_JOB_CANCELLED':
      h = push(h, { t, kind: 'cancelled', text: 'cancelled' });
      h = { ...h, outcome: 'cancelled' };
      break;
    case 'BLOCK_JOB_ERROR': {
      const text = `${String(data.operation)} error, action ${String(data.action)}`;
      h = push(h, { t, kind: 'error', text }, repeat);
      if (h.errors[h.errors.length - 1] !== text) h = { ...h, errors: [...h.errors, text] };
      break;
    }
  }
  return { ...timeline, [id]: h };
}

/**
 * Notes a job seen in an answer from QEMU, so that a job whose events were never seen (it
 * started before this page connected) is still accounted for when it disappears.
 */
export function withObserved(
  timeline: Timeline,
  id: string,
  type: string,
  status: string,
): Timeline {
  const h = timeline[id];
  if (h && h.endedAt === undefined)
    return h.type ? timeline : { ...timeline, [id]: { ...h, type } };
  // Closed by an answer, not by QEMU's `null`: that answer was older than the job (a shared
  // read may be answered from a reply sent before the job's events), and the job goes on.
  if (h && h.lastStatus !== 'null') {
    const outcome = h.outcome === 'gone' ? undefined : h.outcome;
    return { ...timeline, [id]: { ...h, type: h.type ?? type, endedAt: undefined, outcome } };
  }
  // A new run of an id whose last run ended (its events were missed): the old run is kept.
  const next = h ? withRunKept(timeline, id) : { ...timeline };
  next[id] = { ...emptyHistory(id), type, lastStatus: status };
  return next;
}

/** Records an error QEMU reports in query-jobs (e.g. a failed blockdev-create), once. */
export function withReportedError(timeline: Timeline, id: string, error: string): Timeline {
  const h = timeline[id] ?? emptyHistory(id);
  if (h.errorText === error) return timeline;
  return {
    ...timeline,
    [id]: {
      ...h,
      errorText: error,
      outcome: 'failed',
      errors: h.errors.includes(error) ? h.errors : [...h.errors, error],
    },
  };
}

/**
 * After a fresh answer from QEMU: a job we saw that QEMU no longer lists ended while its events
 * were missed (QEMU killed and restarted, a gap in the connection). QEMU answers on the same
 * ordered stream as its events, so an answer that arrives after a job's events already knows
 * about the job; `graceMs` only guards against a transport that reorders them.
 */
export function reconcileListed(
  timeline: Timeline,
  listed: ReadonlySet<string>,
  now: number,
  graceMs = 0,
): Timeline {
  let next: Record<string, JobHistory> | undefined;
  for (const [key, h] of Object.entries(timeline)) {
    if (h.endedAt !== undefined || listed.has(h.id)) continue;
    // Browser clock on both sides: QEMU's timestamps may come from another machine.
    if (h.lastSeenAt !== undefined && now - h.lastSeenAt < graceMs) continue;
    next ??= { ...timeline };
    next[key] = { ...h, endedAt: now, outcome: h.outcome ?? 'gone' };
  }
  return next ?? timeline;
}

/**
 * Drops the histories of jobs that ended (the "Clear finished" control); with `seenBefore`, only
 * those last heard of before that page time.
 */
export function withoutEnded(timeline: Timeline, seenBefore = Infinity): Timeline {
  return Object.fromEntries(
    Object.entries(timeline).filter(
      ([, h]) => h.endedAt === undefined || (h.lastSeenAt ?? -Infinity) >= seenBefore,
    ),
  );
}

/** Finished runs: ended, and not the run QEMU lists now (an earlier run of a listed id is). */
export function finishedRuns(
  timeline: Timeline,
  listed: ReadonlySet<string>,
): [key: string, history: JobHistory][] {
  return Object.entries(timeline).filter(
    ([key, h]) => h.endedAt !== undefined && (key !== h.id || !listed.has(h.id)),
  );
}

const SWITCHES: Record<string, string> = { mirror: 'the target', commit: 'the base' };

/**
 * What a finished job's end means for the disk. A mirror (or an active commit) that was asked to
 * complete switched over; one cancelled while ready ends "completed" in QEMU's words, but the
 * device stayed on its source and the target is a copy as of the cancel.
 */
export function endStateWords(h: JobHistory): string {
  switch (h.outcome) {
    case 'completed': {
      const onto = h.type ? SWITCHES[h.type] : undefined;
      if (h.finish?.verb === 'cancel' && h.finish.whileReady) {
        return h.type === 'commit'
          ? 'Finished, top kept (the base holds the data as of the cancel)'
          : 'Finished, source kept (the target is a copy as of the cancel)';
      }
      if (onto && h.finish?.verb === 'complete') return `Completed, switched to ${onto}`;
      return 'Completed';
    }
    case 'cancelled':
      return 'Cancelled';
    case 'failed':
      return 'Failed';
    default:
      return 'Ended while not watched';
  }
}

/** How long after an image creation the job it was made for may start (a plan's steps). */
const STEP_WINDOW_MS = 60_000;

/**
 * Image creations that went well are steps of an operation (a mirror's or backup's new image):
 * each is put under the first other job that started after it, within a minute and before any
 * other job started; the ones no finished job follows stay `loose`. By page arrival times, which
 * after a reload are the proxy's.
 */
export function foldSteps(finished: readonly [string, JobHistory][]): {
  stepsOf: Map<string, [string, JobHistory][]>;
  loose: [string, JobHistory][];
  operations: [string, JobHistory][];
} {
  const isStep = (h: JobHistory) => h.type === 'create' && h.outcome === 'completed';
  const operations = finished.filter(([, h]) => !isStep(h));
  const starts = operations
    .filter(([, h]) => h.type !== 'create' && h.seenCreatedAt !== undefined)
    .sort(([, a], [, b]) => a.seenCreatedAt! - b.seenCreatedAt!);
  const stepsOf = new Map<string, [string, JobHistory][]>();
  const loose: [string, JobHistory][] = [];
  for (const step of finished.filter(([, h]) => isStep(h))) {
    const from = step[1].seenCreatedAt;
    const op = from === undefined ? undefined : starts.find(([, h]) => h.seenCreatedAt! >= from);
    const end = step[1].seenConcludedAt ?? from;
    if (!op || end === undefined || op[1].seenCreatedAt! - end > STEP_WINDOW_MS) {
      loose.push(step);
      continue;
    }
    stepsOf.set(op[0], [...(stepsOf.get(op[0]) ?? []), step]);
  }
  return { stepsOf, loose, operations };
}
