// The event log of each target, recorded for the life of the page whether or not the Event log
// tab is open. QEMU keeps no events; the proxy keeps the target's history and sends it to each
// session first (ProxyEvent.History), so the log starts from that and goes on with live events.
import { useEffect, useSyncExternalStore } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { historyOptions, parseHistory, type TargetHistory } from '../../api/history-queries.ts';
import type { QmpClient } from '../../qmp/client.ts';
import { ProxyEvent, type QmpEvent } from '../../qmp/wire.ts';
import { appendEvent, rowFromEntry, type EventRow } from './event-coalesce.ts';

/**
 * Left out: the proxy's once-a-second job and statistics polls are transport, not something
 * QEMU said (logged, they would also split every burst of QEMU's own events); the history seeds
 * the log instead of being a row of it.
 */
const NOT_LOGGED = new Set<string>([
  ProxyEvent.Jobs,
  ProxyEvent.BlockStats,
  ProxyEvent.History,
  // The proxy's list of targets, not this target's history (not in the proxy's record either).
  ProxyEvent.Targets,
]);

const LIMIT = 1_000;

/** What a session is sent after the history, before anything live (proxy/session.ts). */
const SNAPSHOTS = [ProxyEvent.TargetState, ProxyEvent.Backups, ProxyEvent.NbdServer];

export class EventLogStore {
  private rows: EventRow[] = [];
  private seq = 0;
  private readonly listeners = new Set<() => void>();
  /** The proxy record the rows were last seeded from, and that very copy of it. */
  private since: number | undefined;
  private seeded: string | undefined;
  /** Page time of the last Clear: older history is not brought back by a reconnect. */
  private clearedAt = -Infinity;
  /** The rows from before the record seeded last (the proxy restarted since). */
  private older: readonly EventRow[] = [];
  /** Snapshot events still expected right after the history (ProxyEvent.History). */
  private snapshots = new Set<string>();
  /** Entries the proxy's bounds let go before the record was sent. */
  dropped = 0;

  add(event: QmpEvent, arrivedAt = Date.now()): void {
    if (event.event === ProxyEvent.History) {
      const history = parseHistory(event.data, arrivedAt);
      if (history) this.seed(history);
      this.snapshots = new Set(SNAPSHOTS);
      return;
    }
    if (NOT_LOGGED.has(event.event)) return;
    // The session's own copies of the proxy's records, sent right after the history: not
    // something that happened (their changes are in the history), and logged they would split a
    // burst that goes on across the reconnect.
    if (this.snapshots.delete(event.event)) return;
    this.snapshots.clear();
    this.rows = appendEvent(this.rows, event, arrivedAt, this.seq++, { limit: LIMIT });
    this.changed();
  }

  /**
   * Starts from the proxy's history. The same record as last time (a reconnect, or the cached
   * copy after the live one): it replaces the rows, which it holds too, so nothing is doubled.
   * Another record (the proxy restarted): what the page had stays, the new record follows it.
   */
  seed(history: TargetHistory): void {
    const mark = `${history.since}/${history.now}`;
    if (mark === this.seeded) return;
    this.seeded = mark;
    const offset = history.receivedAt - history.now;
    // What the page had from earlier records stays before this one, however often it is re-sent.
    if (history.since !== this.since) this.older = this.rows;
    let rows = [...this.older];
    this.since = history.since;
    this.dropped = history.dropped;
    for (const entry of history.entries) {
      if (NOT_LOGGED.has(entry.event) || entry.at + offset < this.clearedAt) continue;
      rows.push(rowFromEntry(entry, offset, this.seq++));
    }
    if (rows.length > LIMIT) rows = rows.slice(rows.length - LIMIT);
    this.rows = rows;
    this.changed();
  }

  clear(): void {
    this.rows = [];
    this.older = [];
    this.clearedAt = Date.now();
    this.changed();
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly getRows = (): readonly EventRow[] => this.rows;
}

// Beside the query cache on purpose: QEMU keeps no event history, so the log cannot be refetched.
// One store per target this page has shown, the MAX_TARGETS used last (a proxy may serve many
// libvirt guests): the one unused longest is dropped.
const MAX_TARGETS = 32;
const stores = new Map<string, EventLogStore>();

export function eventLogFor(target: string): EventLogStore {
  const store = stores.get(target) ?? new EventLogStore();
  // Re-inserted: the Map's order is the order of last use.
  stores.delete(target);
  stores.set(target, store);
  if (stores.size > MAX_TARGETS) stores.delete(stores.keys().next().value!);
  return store;
}

/**
 * Records every event of `client` into the target's log while mounted. Mount it in a part of
 * the page that is always there (the Jobs panel does; the shell may take it over).
 */
export function useEventLogRecorder(client: QmpClient, target: string): void {
  const queryClient = useQueryClient();
  useEffect(() => {
    const store = eventLogFor(target);
    // Mounted after the session began: the history it was sent is in the cache.
    const history = queryClient.getQueryData(historyOptions(target).queryKey);
    if (history) store.seed(history);
    return client.onEvent((event) => store.add(event));
  }, [client, target, queryClient]);
}

export function useEventLogRows(target: string): readonly EventRow[] {
  const store = eventLogFor(target);
  return useSyncExternalStore(store.subscribe, store.getRows);
}
