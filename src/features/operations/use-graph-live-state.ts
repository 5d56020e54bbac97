// The operations' LiveState, derived from the graph's own cached reads (one query per QMP read,
// src/api/block-graph-queries.ts), never read again under a key of its own: the details panel,
// the operation dialogs and the Exports tab see what the graph sees, and the same events keep
// them current. What QEMU cannot be asked comes from the proxy's pushes (the NBD server record,
// the backup ledger); the command list from the schema, read once per connection.
import { useQueries, useQuery, type QueryClient, type UseQueryResult } from '@tanstack/react-query';
import { useMemo } from 'react';
import { backupLedgerOptions } from '../../api/backup-ledger-queries.ts';
import {
  blockExportsOptions,
  blockGraphReads,
  blocksOptions,
  namedNodesOptions,
  rawGraphOptions,
  throttleGroupsOptions,
} from '../../api/block-graph-queries.ts';
import { jobsOptions } from '../../api/jobs-queries.ts';
import { nbdServerOptions } from '../../api/nbd-server-queries.ts';
import { useQmpClient, useTargetName } from '../../api/qmp-context.tsx';
import { schemaOptions } from '../../api/schema-queries.ts';
import type { QmpClient } from '../../qmp/client.ts';
import { UNKNOWN_NBD_SERVER } from '../../qmp/nbd-server.ts';
import type {
  RawBlockInfo,
  RawExport,
  RawGraph,
  RawJob,
  RawNamedNode,
  RawThrottleGroup,
} from '../block-graph/model/types.ts';
import { liveStateFromGraph } from './plans/graph-live-state.ts';
import type { LiveState } from './plans/live-state.ts';

type Results = [
  UseQueryResult<RawGraph>,
  UseQueryResult<RawNamedNode[]>,
  UseQueryResult<RawBlockInfo[]>,
  UseQueryResult<RawJob[]>,
  UseQueryResult<RawExport[]>,
  UseQueryResult<RawThrottleGroup[]>,
];

interface Reads {
  /** Undefined until every read a plan needs has an answer (a missing one would hide a user). */
  live: LiveState | undefined;
  error: Error | null;
  /** When the oldest of the reads was answered (ms). */
  updatedAt: number;
}

function combine(results: Results): Reads {
  const [graph, named, blocks, jobs, exports, groups] = results;
  const error = results.find((r) => r.error)?.error ?? null;
  // The job list is pushed by the proxy, not re-read on a change of topology: not counted.
  const updatedAt = Math.min(...results.filter((r) => r !== jobs).map((r) => r.dataUpdatedAt));
  if (!graph.data || !named.data || !blocks.data || !jobs.data || !exports.data || !groups.data) {
    return { live: undefined, error, updatedAt };
  }
  const live = liveStateFromGraph({
    graph: graph.data,
    namedNodes: named.data,
    blocks: blocks.data,
    jobs: jobs.data,
    exports: exports.data,
    throttleGroups: groups.data,
  });
  return { live, error, updatedAt };
}

/**
 * The live state with what only the proxy knows. `freshSince` (ms): undefined until every read
 * was answered after that moment (a dialog that must plan from what QEMU has now).
 */
export function useLiveState(freshSince?: number): {
  live: LiveState | undefined;
  error: Error | null;
} {
  const client = useQmpClient();
  const target = useTargetName();
  const reads = useQueries({ queries: blockGraphReads(client, target), combine });
  const nbdServer = useQuery(nbdServerOptions(target)).data ?? UNKNOWN_NBD_SERVER;
  const ledger = useQuery(backupLedgerOptions(target)).data;
  const commands = useQuery({
    ...schemaOptions(client, target),
    select: (index) => new Set(index.commands.keys()),
  }).data;
  const fresh = freshSince === undefined || reads.updatedAt >= freshSince;
  const live = useMemo(
    () =>
      reads.live && fresh
        ? {
            ...reads.live,
            nbdServer,
            commands: commands ?? reads.live.commands,
            ...(ledger ? { backups: ledger.backups } : {}),
          }
        : undefined,
    [reads.live, fresh, nbdServer, commands, ledger],
  );
  return { live, error: reads.error };
}

/** The live state from the graph's reads only (no proxy record): the details panel's rules. */
export function useGraphLiveState(): LiveState | undefined {
  const client = useQmpClient();
  const target = useTargetName();
  return useQueries({ queries: blockGraphReads(client, target), combine }).live;
}

/**
 * The same reads fetched now through the cache, for a plan's end phase: a read already in
 * flight is joined, and what comes back refreshes every view.
 */
export async function fetchLiveState(
  queryClient: QueryClient,
  client: QmpClient,
  target: string,
  base: Pick<LiveState, 'nbdServer' | 'commands' | 'backups'>,
): Promise<LiveState> {
  const [graph, namedNodes, blocks, jobs, exports, throttleGroups] = await Promise.all([
    queryClient.fetchQuery({ ...rawGraphOptions(client, target), staleTime: 0 }),
    queryClient.fetchQuery({ ...namedNodesOptions(client, target), staleTime: 0 }),
    queryClient.fetchQuery({ ...blocksOptions(client, target), staleTime: 0 }),
    queryClient
      .fetchQuery({ ...jobsOptions(client, target), staleTime: 0 })
      .then((data) => data.snapshot.jobs),
    queryClient.fetchQuery({ ...blockExportsOptions(client, target), staleTime: 0 }),
    queryClient.fetchQuery({ ...throttleGroupsOptions(client, target), staleTime: 0 }),
  ]);
  return {
    ...liveStateFromGraph({ graph, namedNodes, blocks, jobs, exports, throttleGroups }),
    ...base,
  };
}
