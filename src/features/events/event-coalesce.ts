// The event log's rows. QEMU does not rate-limit job events: a failing mirror sent 16
// BLOCK_JOB_ERROR within one millisecond (qmp-domain.md §1.4), so identical events arriving
// close together become one row with a count instead of a wall of repeats.
import type { HistoryEntry, JsonObject, QmpEvent } from '../../qmp/wire.ts';

export interface EventRow {
  /** Stable across merges, for React keys. */
  seq: number;
  name: string;
  data: JsonObject | undefined;
  /** Epoch ms of the first and the last merged event (QEMU's timestamps). */
  firstT: number;
  lastT: number;
  count: number;
}

export interface CoalesceOptions {
  /** Identical events closer than this to the row's last one are merged (ms). */
  windowMs?: number;
  /** Rows kept; the oldest go first. */
  limit?: number;
}

const DEFAULT_WINDOW_MS = 1_000;

/** Epoch ms from QEMU's timestamp; arrival time when QEMU could not read its clock (-1). */
export function eventTime(event: QmpEvent, arrivedAt: number): number {
  const { seconds, microseconds } = event.timestamp;
  return seconds >= 0 ? seconds * 1000 + Math.floor(microseconds / 1000) : arrivedAt;
}
const DEFAULT_LIMIT = 1_000;

/** Events are "identical" when name and data match exactly (key order as QEMU sent it). */
function sameEvent(row: EventRow, event: QmpEvent): boolean {
  return row.name === event.event && JSON.stringify(row.data) === JSON.stringify(event.data);
}

/**
 * Adds one event. Merges into the newest row when it is the same event within the window;
 * otherwise appends. Returns a new array (rows themselves are replaced, not mutated).
 */
export function appendEvent(
  rows: readonly EventRow[],
  event: QmpEvent,
  arrivedAt: number,
  seq: number,
  options: CoalesceOptions = {},
): EventRow[] {
  const t = eventTime(event, arrivedAt);
  const windowMs = options.windowMs ?? DEFAULT_WINDOW_MS;
  const limit = options.limit ?? DEFAULT_LIMIT;
  const last = rows[rows.length - 1];
  if (last && sameEvent(last, event) && t - last.lastT <= windowMs) {
    return [
      ...rows.slice(0, -1),
      { ...last, lastT: Math.max(last.lastT, t), count: last.count + 1 },
    ];
  }
  const next = [
    ...rows,
    { seq, name: event.event, data: event.data, firstT: t, lastT: t, count: 1 },
  ];
  return next.length > limit ? next.slice(next.length - limit) : next;
}

/**
 * One entry of the proxy's history as a row; `offset` turns the proxy's clock into the page's
 * (for an event whose timestamp QEMU could not give). The proxy already counted its bursts.
 */
export function rowFromEntry(entry: HistoryEntry, offset: number, seq: number): EventRow {
  const firstT = eventTime(entry as QmpEvent, entry.at + offset);
  const last = entry['last-timestamp'];
  const lastAt = (entry['last-at'] ?? entry.at) + offset;
  const lastT = last ? eventTime({ event: entry.event, timestamp: last }, lastAt) : firstT;
  return { seq, name: entry.event, data: entry.data, firstT, lastT, count: entry.count };
}

/** The proxy's own notice after each command it sent for a session: many, and rarely wanted. */
export const COMMAND_NOTICE = 'X_BLOCKSCOPE_COMMAND_DONE';

const ID_WORDS: [key: string, word: string][] = [
  ['job-id', 'job'],
  ['device', 'device'],
  ['id', 'id'],
  ['node', 'node'],
  ['node-name', 'node'],
  ['name', 'name'],
];

/**
 * A command notice as a sentence: "block-job-cancel by operator, job mirror-data". The block-job-*
 * commands name their job by `device` (qapi/block-core.json), so it is called a job there.
 */
export function commandSentence(data: JsonObject | undefined): string {
  const command = typeof data?.command === 'string' ? data.command : 'a command';
  const role = typeof data?.role === 'string' ? ` by ${data.role}` : '';
  const names = ID_WORDS.flatMap(([key, word]) => {
    const value = data?.[key];
    if (typeof value !== 'string') return [];
    const said = key === 'device' && command.startsWith('block-job-') ? 'job' : word;
    return [`${said} ${value}`];
  });
  return `${command}${role}${names.length ? `, ${names.join(', ')}` : ''}`;
}

export interface RowFilter {
  /** Matched, case-insensitively, against the event's name and its data as JSON text. */
  text: string;
  /** Keep the proxy's command notices (left out unless asked for). */
  commandNotices?: boolean;
}

const dataText = new WeakMap<object, string>();

/** The data of a row as lower-case JSON, made once per row (rows are replaced, never mutated). */
function searchableData(row: EventRow): string {
  if (!row.data) return '';
  let text = dataText.get(row.data);
  if (text === undefined) dataText.set(row.data, (text = JSON.stringify(row.data).toLowerCase()));
  return text;
}

/**
 * Rows whose name or data contains the filter text (a job id, a node name, a device), without
 * the proxy's command notices unless asked for. An empty text keeps every other row.
 */
export function filterRows(rows: readonly EventRow[], filter: RowFilter): readonly EventRow[] {
  const needle = filter.text.trim().toLowerCase();
  const notices = filter.commandNotices === true;
  if (!needle && notices) return rows;
  return rows.filter(
    (r) =>
      (notices || r.name !== COMMAND_NOTICE) &&
      (!needle || r.name.toLowerCase().includes(needle) || searchableData(r).includes(needle)),
  );
}

/** The distinct event names seen, for the filter's suggestions. */
export function eventNames(rows: readonly EventRow[]): string[] {
  return [...new Set(rows.map((r) => r.name))].sort();
}
