// The graph's own cached reads as a LiveState, for rules the details panel shows before anything
// is opened ("Remove node" and its reason). Observes the queries the graph already runs, so it
// sends nothing of its own; it is as current as the graph.
import { useQueries, type UseQueryResult } from '@tanstack/react-query';
import {
  blockExportsOptions,
  blocksOptions,
  graphJobsOptions,
  namedNodesOptions,
  rawGraphOptions,
} from '../../api/block-graph-queries.ts';
import { useQmpClient, useTargetName } from '../../api/qmp-context.tsx';
import type {
  RawBlockInfo,
  RawExport,
  RawGraph,
  RawJob,
  RawNamedNode,
} from '../block-graph/model/types.ts';
import { liveStateFromGraph } from './plans/graph-live-state.ts';
import type { LiveState } from './plans/live-state.ts';

type Results = [
  UseQueryResult<RawGraph>,
  UseQueryResult<RawNamedNode[]>,
  UseQueryResult<RawBlockInfo[]>,
  UseQueryResult<RawJob[]>,
  UseQueryResult<RawExport[]>,
];

/** Undefined until every read the rule needs has an answer (a missing one would hide a user). */
function combine([graph, named, blocks, jobs, exports]: Results): LiveState | undefined {
  if (!graph.data || !named.data || !blocks.data || !jobs.data || !exports.data) return undefined;
  return liveStateFromGraph({
    graph: graph.data,
    namedNodes: named.data,
    blocks: blocks.data,
    jobs: jobs.data,
    exports: exports.data,
  });
}

export function useGraphLiveState(): LiveState | undefined {
  const client = useQmpClient();
  const target = useTargetName();
  return useQueries({
    queries: [
      rawGraphOptions(client, target),
      namedNodesOptions(client, target),
      blocksOptions(client, target),
      graphJobsOptions(client, target),
      blockExportsOptions(client, target),
    ],
    combine,
  });
}
