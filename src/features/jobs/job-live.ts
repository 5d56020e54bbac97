// Keeps the Jobs panel current: QMP events go into the query cache (applyJobsEvent, registered by
// the QmpProvider) and into the per-job timeline; every answer QEMU gives (our read or the proxy's
// poll) becomes one progress sample per job. Samples and timelines live in small stores outside React state,
// keyed by target; the job state itself stays in the query cache. The timeline starts from the
// proxy's history of the target (ProxyEvent.History), so it outlives a reload and is the same in
// every tab.
import { useEffect, useSyncExternalStore } from 'react';
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import {
  entryEvent,
  historyOptions,
  parseHistory,
  type TargetHistory,
} from '../../api/history-queries.ts';
import { jobsOptions, type JobsData } from '../../api/jobs-queries.ts';
import { useQmpEvent } from '../../api/qmp-context.tsx';
import type { QmpClient } from '../../qmp/client.ts';
import { ProxyEvent, type QmpEvent } from '../../qmp/wire.ts';
import { joinJobs } from './job-model.ts';
import { rateStoreFor } from './job-rate-store.ts';
import {
  reconcileListed,
  eventTime,
  reduceTimeline,
  withObserved,
  withoutEnded,
  withReportedError,
  type Timeline,
} from './job-timeline.ts';

export class TimelineStore {
  private timeline: Timeline = {};
  private readonly listeners = new Set<() => void>();
  /** The proxy record last seeded from, and that very copy of it (see EventLogStore.seed). */
  private since: number | undefined;
  private seeded: string | undefined;
  /** The timeline from before the record seeded last (the proxy restarted since). */
  private older: Timeline = {};
  /** Page time of the last "Clear finished": a reconnect does not bring those back. */
  private clearedAt = -Infinity;

  private set(next: Timeline): void {
    if (next === this.timeline) return;
    this.timeline = next;
    for (const listener of this.listeners) listener();
  }

  applyEvent(event: QmpEvent, arrivedAt: number): void {
    if (event.event === ProxyEvent.History) {
      const history = parseHistory(event.data, arrivedAt);
      if (history) this.seed(history);
      return;
    }
    this.set(reduceTimeline(this.timeline, event, arrivedAt));
  }

  /**
   * Rebuilds the timeline from the proxy's history, with arrival times on the page's clock. The
   * same record as last time replaces what the page folded from it (it holds all of that), but
   * keeps the jobs it never mentions (seen only in QEMU's answers); another record (the proxy
   * restarted) is folded on top of what the page had. QEMU's next answer then closes the
   * histories of jobs it no longer lists (applyData).
   */
  seed(history: TargetHistory): void {
    const mark = `${history.since}/${history.now}`;
    if (mark === this.seeded) return;
    this.seeded = mark;
    const offset = history.receivedAt - history.now;
    const same = history.since === this.since;
    // What the page had from earlier records is the base, however often this one is re-sent.
    if (!same) this.older = this.timeline;
    this.since = history.since;
    let next: Timeline = this.older;
    for (const entry of history.entries) {
      const event = entryEvent(entry);
      const arrivedAt = entry.at + offset;
      const lastArrivedAt = (entry['last-at'] ?? entry.at) + offset;
      const last = entry['last-timestamp'];
      const repeat = {
        count: entry.count,
        lastArrivedAt,
        lastT: last ? eventTime({ ...event, timestamp: last }, lastArrivedAt) : 0,
      };
      if (!last) repeat.lastT = eventTime(event, arrivedAt);
      next = reduceTimeline(next, event, arrivedAt, repeat);
    }
    if (same) {
      const named = new Set(Object.values(next).map((h) => h.id));
      const kept = Object.entries(this.timeline).filter(([, h]) => !named.has(h.id));
      if (kept.length > 0) next = { ...next, ...Object.fromEntries(kept) };
    }
    this.set(withoutEnded(next, this.clearedAt));
  }

  /** A fresh answer from QEMU: keep reported errors, close histories of vanished jobs. */
  applyData(data: JobsData): void {
    let next = this.timeline;
    const listed = new Set<string>();
    for (const row of joinJobs(data.snapshot)) {
      listed.add(row.id);
      next = withObserved(next, row.id, row.type, row.status);
      if (row.error) next = withReportedError(next, row.id, row.error);
    }
    this.set(reconcileListed(next, listed, data.receivedAt));
  }

  clearEnded(): void {
    this.clearedAt = Date.now();
    this.older = withoutEnded(this.older);
    this.set(withoutEnded(this.timeline));
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly get = (): Timeline => this.timeline;
}

// Beside the query cache on purpose: a job's timeline is what this page saw happen (events as they
// arrived), which no QMP read returns again, so no query could refetch it.
// One store per target this page has shown, the MAX_TARGETS used last (a proxy may serve many
// libvirt guests): the one unused longest is dropped.
const MAX_TARGETS = 32;
const timelines = new Map<string, TimelineStore>();

export function timelineFor(target: string): TimelineStore {
  const store = timelines.get(target) ?? new TimelineStore();
  // Re-inserted: the Map's order is the order of last use.
  timelines.delete(target);
  timelines.set(target, store);
  if (timelines.size > MAX_TARGETS) timelines.delete(timelines.keys().next().value!);
  return store;
}

export function useTimeline(target: string): Timeline {
  const store = timelineFor(target);
  return useSyncExternalStore(store.subscribe, store.get);
}

/** Records samples and reconciles the timeline for one answer from QEMU. */
function takeAnswer(target: string, data: JobsData): void {
  if (data.source === 'event') return; // a patch, not a measurement
  rateStoreFor(target).record(joinJobs(data.snapshot), data.receivedAt);
  timelineFor(target).applyData(data);
}

function watchAnswers(queryClient: QueryClient, client: QmpClient, target: string): () => void {
  const key = jobsOptions(client, target).queryKey;
  const current = queryClient.getQueryData(key);
  if (current) takeAnswer(target, current);
  const hash = JSON.stringify(key);
  return queryClient.getQueryCache().subscribe((event) => {
    if (event.type !== 'updated' || event.action.type !== 'success') return;
    if (event.query.queryHash !== hash) return;
    takeAnswer(target, event.query.state.data as JobsData);
  });
}

/** Wires events and answers of `target` into the cache and the stores while mounted. */
export function useJobsLive(client: QmpClient, target: string): void {
  const queryClient = useQueryClient();
  useEffect(() => {
    // Mounted after the session began: the history it was sent is in the cache.
    const history = queryClient.getQueryData(historyOptions(target).queryKey);
    if (history) timelineFor(target).seed(history);
  }, [queryClient, target]);
  useQmpEvent((event) => {
    const arrivedAt = Date.now();
    timelineFor(target).applyEvent(event, arrivedAt);
  });
  useEffect(() => watchAnswers(queryClient, client, target), [queryClient, client, target]);
}
