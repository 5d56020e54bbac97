// The proxy's record of the target's history (ProxyEvent.History), pushed once right after
// negotiation (pushed-record.ts): what every tab and every operator of the target was told,
// so the event log and the job timelines survive a reload and agree between tabs. The stores
// that show it (the event log, the job timelines) seed themselves from it.
import { ProxyEvent, type HistoryEntry, type JsonObject, type QmpEvent } from '../qmp/wire.ts';
import { pushedRecord } from './pushed-record.ts';

export interface TargetHistory {
  /** When the proxy's record began: another value means another record (the proxy restarted). */
  since: number;
  /** The proxy's clock when it was sent. */
  now: number;
  dropped: number;
  entries: HistoryEntry[];
  /** The browser's clock when it arrived: `receivedAt - now` turns the proxy's times into ours. */
  receivedAt: number;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isTimestamp = (v: unknown): v is QmpEvent['timestamp'] =>
  isObject(v) && typeof v.seconds === 'number' && typeof v.microseconds === 'number';

function parseEntry(value: unknown): HistoryEntry | null {
  if (!isObject(value) || typeof value.event !== 'string') return null;
  if (!isTimestamp(value.timestamp) || typeof value.at !== 'number') return null;
  const count = typeof value.count === 'number' && value.count >= 1 ? value.count : 1;
  const entry: HistoryEntry = {
    event: value.event,
    timestamp: value.timestamp,
    at: value.at,
    count,
  };
  if (isObject(value.data)) entry.data = value.data as JsonObject;
  if (count > 1 && typeof value['last-at'] === 'number') entry['last-at'] = value['last-at'];
  if (count > 1 && isTimestamp(value['last-timestamp'])) {
    entry['last-timestamp'] = value['last-timestamp'];
  }
  return entry;
}

/** The event's data as a history, or undefined when it is not one. */
export function parseHistory(
  data: QmpEvent['data'],
  receivedAt = Date.now(),
): TargetHistory | undefined {
  if (!data || typeof data.since !== 'number' || typeof data.now !== 'number') return undefined;
  if (!Array.isArray(data.entries)) return undefined;
  const entries = data.entries.map(parseEntry).filter((e): e is HistoryEntry => e !== null);
  const dropped = typeof data.dropped === 'number' ? data.dropped : 0;
  return { since: data.since, now: data.now, dropped, entries, receivedAt };
}

/** An entry as the event it stands for (the first of `count` identical ones). */
export function entryEvent(entry: HistoryEntry): QmpEvent {
  return {
    event: entry.event,
    ...(entry.data ? { data: entry.data } : {}),
    timestamp: entry.timestamp,
  };
}

const record = pushedRecord<TargetHistory>('history', ProxyEvent.History, (data) =>
  parseHistory(data),
);

export const historyOptions = record.options;
export const watchHistory = record.watch;
