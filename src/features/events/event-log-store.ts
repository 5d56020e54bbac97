// The event log of each target, recorded for the life of the page whether or not the Event log
// tab is open (events are not queued anywhere else; QEMU drops them when nobody listens).
import { useEffect, useSyncExternalStore } from 'react';
import type { QmpClient } from '../../qmp/client.ts';
import { ProxyEvent, type QmpEvent } from '../../qmp/wire.ts';
import { appendEvent, type EventRow } from './event-coalesce.ts';

/**
 * The proxy's once-a-second job and statistics polls are transport, not something QEMU said:
 * left out (logged, they would also split every burst of QEMU's own events).
 */
const NOT_LOGGED = new Set<string>([ProxyEvent.Jobs, ProxyEvent.BlockStats]);

export class EventLogStore {
  private rows: EventRow[] = [];
  private seq = 0;
  private readonly listeners = new Set<() => void>();

  add(event: QmpEvent, arrivedAt = Date.now()): void {
    if (NOT_LOGGED.has(event.event)) return;
    this.rows = appendEvent(this.rows, event, arrivedAt, this.seq++);
    for (const listener of this.listeners) listener();
  }

  clear(): void {
    this.rows = [];
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
  useEffect(() => {
    const store = eventLogFor(target);
    return client.onEvent((event) => store.add(event));
  }, [client, target]);
}

export function useEventLogRows(target: string): readonly EventRow[] {
  const store = eventLogFor(target);
  return useSyncExternalStore(store.subscribe, store.getRows);
}
