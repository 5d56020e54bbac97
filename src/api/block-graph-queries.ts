// The block graph's reads and the events that make them stale. Each read is its own cached query
// (so the jobs panel and others can share them); the graph view joins them in a pure model.
// Nothing here polls: QEMU pushes the events listed in GRAPH_EVENTS, and the proxy re-announces
// the target after a reconnect.
import { queryOptions, useQueryClient } from '@tanstack/react-query';
import type { QmpClient } from '../qmp/client.ts';
import { ProxyEvent, type JsonObject, type QmpEvent } from '../qmp/wire.ts';
import type {
  RawBlockInfo,
  RawExport,
  RawGraph,
  RawJob,
  RawNamedNode,
  RawThrottleGroup,
} from '../features/block-graph/model/types.ts';
import { useQmpEvent } from './qmp-context.tsx';
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

export function graphJobsKey(target: string) {
  return [...blockGraphKey(target), 'query-jobs', {}] as const;
}

/** query-jobs; while jobs run, the proxy's shared poller pushes fresh results (X_BLOCKSCOPE_JOBS). */
export const graphJobsOptions = (client: QmpClient, target: string) =>
  read<RawJob[]>(client, target, 'query-jobs');

export const throttleGroupsOptions = (client: QmpClient, target: string) =>
  queryOptions({
    queryKey: [...blockGraphKey(target), 'throttle-groups'] as const,
    queryFn: () => readThrottleGroups((command, args) => client.execute(command, args)),
  });

/** Throttle groups are QOM objects under /objects; their limits need one qom-get each. */
export async function readThrottleGroups(execute: Execute): Promise<RawThrottleGroup[]> {
  const children = await execute<{ name: string; type: string }[]>('qom-list', {
    path: '/objects',
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
const GRAPH_EVENTS = new Set([
  'JOB_STATUS_CHANGE', // filters and job nodes appear at `created` and go at `concluded`/`null`
  'BLOCK_EXPORT_DELETED',
  'DEVICE_DELETED',
]);

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
  return GRAPH_EVENTS.has(event.event);
}

/**
 * Keeps the graph of the current target current: re-reads it after any event that may have
 * changed it, and takes job progress from the proxy's shared poller instead of polling.
 * Features that run graph-changing commands (blockdev-add, block-export-add, …) invalidate
 * `blockGraphKey(target)` themselves; QEMU announces those to no one.
 */
export function useBlockGraphInvalidation(target: string): void {
  const queryClient = useQueryClient();
  useQmpEvent((event) => {
    if (event.event === ProxyEvent.Jobs && Array.isArray(event.data?.jobs)) {
      queryClient.setQueryData(graphJobsKey(target), event.data.jobs as unknown as RawJob[]);
    } else if (isGraphEvent(event)) {
      void queryClient.invalidateQueries({ queryKey: blockGraphKey(target) });
    }
  });
}
