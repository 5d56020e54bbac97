// The block graph's reads and the events that make them stale. Each read is its own cached query
// (so the jobs panel and others can share them); the graph view joins them in a pure model.
// Nothing here polls: QEMU pushes the events isGraphEvent picks, the proxy announces every
// session's successful commands and re-announces the target after a reconnect, and the re-reads
// they cause are coalesced (GraphRereads).
import { queryOptions, type QueryClient } from '@tanstack/react-query';
import type { QmpClient } from '../qmp/client.ts';
import { ProxyEvent, type JsonObject, type QmpEvent } from '../qmp/wire.ts';
import type {
  RawBlockInfo,
  RawExport,
  RawGraph,
  RawJob,
  RawNamedNode,
  RawThrottleGroup,
} from '../block-layer/qemu-replies.ts';
import { applyJobsEvent, jobsOptions, type JobsData } from './jobs-queries.ts';
import { targetKey } from './query-keys.ts';

export function blockGraphKey(target: string) {
  return [...targetKey(target), 'block-graph'] as const;
}

type Execute = <T>(command: string, args?: JsonObject) => Promise<T>;

function read<T>(client: QmpClient, target: string, command: string, args: JsonObject = {}) {
  return queryOptions({
    queryKey: [...blockGraphKey(target), command, args] as const,
    queryFn: () => client.execute<T>(command, args),
  });
}

export const rawGraphOptions = (client: QmpClient, target: string) =>
  read<RawGraph>(client, target, 'x-debug-query-block-graph');
export const namedNodesOptions = (client: QmpClient, target: string) =>
  read<RawNamedNode[]>(client, target, 'query-named-block-nodes', { flat: true });

/** How often open details re-read figures that change without any event (dirty counts, sizes). */
export const LIVE_FIGURES_MS = 2_000;

/**
 * The same read as namedNodesOptions (one cache entry), re-run every LIVE_FIGURES_MS while an
 * observer uses it: a guest write changes dirty-bitmap counts and allocation, and QEMU announces
 * neither. One command per interval whatever the number of nodes; it stops with the observer.
 */
export const liveNamedNodesOptions = (client: QmpClient, target: string) =>
  queryOptions({ ...namedNodesOptions(client, target), refetchInterval: LIVE_FIGURES_MS });
export const blocksOptions = (client: QmpClient, target: string) =>
  read<RawBlockInfo[]>(client, target, 'query-block');
export const blockExportsOptions = (client: QmpClient, target: string) =>
  read<RawExport[]>(client, target, 'query-block-exports');

/**
 * The graph's jobs: the jobs read itself (jobs-queries.ts, query-jobs with query-block-jobs),
 * one cache entry for every view; while jobs run the proxy's shared poller pushes it.
 */
export const graphJobsOptions = (client: QmpClient, target: string) =>
  queryOptions({
    ...jobsOptions(client, target),
    select: (data: JobsData): RawJob[] => data.snapshot.jobs,
  });

export const throttleGroupsOptions = (client: QmpClient, target: string) =>
  queryOptions({
    queryKey: [...blockGraphKey(target), 'throttle-groups'] as const,
    queryFn: () => readThrottleGroups((command, args) => client.execute(command, args)),
  });

/**
 * Throttle groups are QOM objects under /objects; their limits need one qom-get each.
 * qemu-storage-daemon creates /objects only with its first object: "Device '/objects' not
 * found" there means no groups.
 */
export async function readThrottleGroups(execute: Execute): Promise<RawThrottleGroup[]> {
  const children = await execute<{ name: string; type: string }[]>('qom-list', {
    path: '/objects',
  }).catch((error: unknown) => {
    if (error instanceof Error && /'\/objects' not found/.test(error.message)) return [];
    throw error;
  });
  const ids = children.filter((c) => c.type === 'child<throttle-group>').map((c) => c.name);
  return Promise.all(
    ids.map(async (id) => ({
      id,
      limits: await execute<Record<string, number>>('qom-get', {
        path: `/objects/${id}`,
        property: 'limits',
      }),
    })),
  );
}

/** Events after which the graph may have changed shape (QEMU sends no generic graph event). */
const GRAPH_EVENTS = new Set(['BLOCK_EXPORT_DELETED', 'DEVICE_DELETED']);

/**
 * Job statuses at which the graph changes (qapi/job.json JobStatus): a job's filter and target
 * nodes appear when it is created and go (or pivot) by the time it is concluded or gone. The
 * other transitions (running, ready, paused, waiting, pending …) leave the graph as it is; the
 * proxy's shared poller pushes the job list itself after each of them (X_BLOCKSCOPE_JOBS).
 */
const GRAPH_JOB_STATUSES = new Set(['created', 'concluded', 'null']);

/**
 * Commands after which the graph may have changed. QEMU announces blockdev-add, qom-set … to no
 * one; the proxy, which sees every session's commands, reports each success as
 * X_BLOCKSCOPE_COMMAND_DONE {command} to all sessions, so other browsers follow too.
 */
const GRAPH_COMMANDS =
  /^(blockdev-|block-export-|block-commit|block-stream|drive-|x-blockdev-|nbd-server-|transaction$|qom-set$|object-(add|del)$|device_(add|del)$|block_set_io_throttle$)/;

export function isGraphEvent(event: QmpEvent): boolean {
  // The proxy's target-state event matters only when QEMU is (back) on the line.
  if (event.event === ProxyEvent.TargetState) return event.data?.state === 'connected';
  if (event.event === ProxyEvent.CommandDone) {
    const command = event.data?.command;
    return typeof command === 'string' && GRAPH_COMMANDS.test(command);
  }
  if (event.event === 'JOB_STATUS_CHANGE') {
    return GRAPH_JOB_STATUSES.has(String(event.data?.status));
  }
  return GRAPH_EVENTS.has(event.event);
}

/** How long a re-read waits for the rest of a burst (a job's end brings several events). */
export const GRAPH_REREAD_DELAY_MS = 100;

/**
 * Re-reads the graph once per burst of topology changes. An in-flight read is kept, not
 * cancelled (cancelRefetch: false): its command already ran, and the next burst re-reads anyway.
 */
export class GraphRereads {
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly queryClient: QueryClient,
    private readonly target: string,
    private readonly delayMs = GRAPH_REREAD_DELAY_MS,
  ) {}

  /** A change of topology: the graph is re-read once the burst is over. */
  schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, this.delayMs);
  }

  /** Re-reads now (what a plan run waits for before it reports). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    return this.queryClient.invalidateQueries(
      // Not the job list (under jobsKey): the proxy pushes it.
      { queryKey: blockGraphKey(this.target) },
      { cancelRefetch: false },
    );
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

const rereads = new WeakMap<QueryClient, Map<string, GraphRereads>>();

/** The target's one re-read scheduler (watchBlockGraph keeps it; plan runs flush it). */
export function graphRereadsOf(queryClient: QueryClient, target: string): GraphRereads {
  let byTarget = rereads.get(queryClient);
  if (!byTarget) rereads.set(queryClient, (byTarget = new Map()));
  let scheduler = byTarget.get(target);
  if (!scheduler) byTarget.set(target, (scheduler = new GraphRereads(queryClient, target)));
  return scheduler;
}

/**
 * Keeps the graph of the target current while the client lives, whichever view is shown: job
 * events and the proxy's job pushes go into the jobs cache (applyJobsEvent), and the other reads
 * are re-read once per burst of events that may have changed the topology. Registered by the QmpProvider; returns the
 * unsubscribe.
 */
export function watchBlockGraph(
  queryClient: QueryClient,
  client: Pick<QmpClient, 'onEvent'>,
  target: string,
): () => void {
  const scheduler = graphRereadsOf(queryClient, target);
  let previous: unknown;
  const off = client.onEvent((event) => {
    if (event.event === ProxyEvent.TargetState) {
      // Every session hears `connected` right after negotiating: the QmpProvider's own re-read
      // covers that. Only a return after an outage seen by this client means a new QEMU state.
      const state = event.data?.state;
      const back = state === 'connected' && previous !== undefined && previous !== 'connected';
      previous = state;
      if (!back) return;
    }
    applyJobsEvent(queryClient, target, event);
    if (isGraphEvent(event)) scheduler.schedule();
  });
  return () => {
    off();
    scheduler.dispose();
    rereads.get(queryClient)?.delete(target);
  };
}

/**
 * The six reads the block graph is joined from, in the order GraphInputs takes them: the graph
 * view and the operations' live state both derive from these same cache entries.
 */
export const blockGraphReads = (client: QmpClient, target: string) =>
  [
    rawGraphOptions(client, target),
    namedNodesOptions(client, target),
    blocksOptions(client, target),
    graphJobsOptions(client, target),
    blockExportsOptions(client, target),
    throttleGroupsOptions(client, target),
  ] as const;
