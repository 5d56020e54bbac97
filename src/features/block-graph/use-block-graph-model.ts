// The current target's block graph model, for the graph view and for any feature that needs node
// names (operations, jobs). Reads are shared through the query cache; the join is memoised.
import { useQueries } from '@tanstack/react-query';
import { useMemo } from 'react';
import {
  blockExportsOptions,
  blocksOptions,
  graphJobsOptions,
  namedNodesOptions,
  rawGraphOptions,
  throttleGroupsOptions,
} from '../../api/block-graph-queries.ts';
import { useQmpClient, useTargetName } from '../../api/qmp-context.tsx';
import { buildBlockGraphModel } from './model/build-model.ts';
import type { BlockGraphModel } from './model/types.ts';

export interface BlockGraphState {
  model: BlockGraphModel | undefined;
  /** The graph read itself failed (other reads only enrich it and may fail on their own). */
  error: Error | null;
  isFetching: boolean;
}

export function useBlockGraphState(): BlockGraphState {
  const client = useQmpClient();
  const target = useTargetName();
  const [graph, named, blocks, jobs, exports, groups] = useQueries({
    queries: [
      rawGraphOptions(client, target),
      namedNodesOptions(client, target),
      blocksOptions(client, target),
      graphJobsOptions(client, target),
      blockExportsOptions(client, target),
      throttleGroupsOptions(client, target),
    ],
  });
  const model = useMemo(
    () =>
      graph.data
        ? buildBlockGraphModel({
            graph: graph.data,
            namedNodes: named.data,
            blocks: blocks.data,
            jobs: jobs.data,
            exports: exports.data,
            throttleGroups: groups.data,
          })
        : undefined,
    [graph.data, named.data, blocks.data, jobs.data, exports.data, groups.data],
  );
  const isFetching = [graph, named, blocks, jobs, exports, groups].some((q) => q.isFetching);
  return { model, error: graph.error, isFetching };
}

/** The current model, or undefined until the first graph read returns. */
export function useBlockGraphModel(): BlockGraphModel | undefined {
  return useBlockGraphState().model;
}
