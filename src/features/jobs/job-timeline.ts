// Per-job history built from QMP events: states with timestamps, READY/PENDING/COMPLETED/
// CANCELLED markers, and errors. This is a record of what was seen, not job state (QEMU's
// query answers are the truth); it is what lets a finished job stay listed with its outcome
// after QEMU has forgotten it.
// JOB_STATUS_CHANGE and BLOCK_JOB_PENDING name the job by `id`; the other BLOCK_JOB_* events
// by `device`, which is the job id too (qmp-domain.md §4.2).
import type { QmpEvent } from '../../qmp/wire.ts';

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

function push(history: JobHistory, entry: Omit<TimelineEntry, 'count' | 'lastT'>): JobHistory {
  const previous = history.entries[history.entries.length - 1];
  if (
    previous &&
    previous.kind === entry.kind &&
    previous.text === entry.text &&
    entry.kind === 'error'
  ) {
    const merged = { ...previous, count: previous.count + 1, lastT: entry.t };
    return { ...history, entries: [...history.entries.slice(0, -1), merged] };
  }
  const entries = [...history.entries, { ...entry, count: 1, lastT: entry.t }];
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

/** Folds one QMP event into the timeline; unrelated events return the same object. */
export function reduceTimeline(timeline: Timeline, event: QmpEvent, arrivedAt: number): Timeline {
  if (!JOB_EVENTS.has(event.event)) return timeline;
  const id = jobIdOf(event);
  if (!id) return timeline;
  const t = eventTime(event, arrivedAt);
  const data = event.data ?? {};
  let h = timeline[id] ?? emptyHistory(id);
  // A job id reused after its predecessor was dismissed starts a fresh history.
  if (h.endedAt !== undefined && event.event === 'JOB_STATUS_CHANGE' && data.status === 'created') {
    h = emptyHistory(id);
  }
  h = { ...h, lastSeenAt: arrivedAt };
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
      h = push(h, { t, kind: 'error', text });
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
  return { ...timeline, [id]: { ...emptyHistory(id), type, lastStatus: status } };
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
  for (const h of Object.values(timeline)) {
    if (h.endedAt !== undefined || listed.has(h.id)) continue;
    // Browser clock on both sides: QEMU's timestamps may come from another machine.
    if (h.lastSeenAt !== undefined && now - h.lastSeenAt < graceMs) continue;
    next ??= { ...timeline };
    next[h.id] = { ...h, endedAt: now, outcome: h.outcome ?? 'gone' };
  }
  return next ?? timeline;
}

/** Drops the histories of jobs that ended (the "Clear finished" control). */
export function withoutEnded(timeline: Timeline): Timeline {
  return Object.fromEntries(Object.entries(timeline).filter(([, h]) => h.endedAt === undefined));
}
