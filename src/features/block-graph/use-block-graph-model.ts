// The current target's block graph model, for the graph view and for any feature that needs node
// names (operations, jobs). Reads are shared through the query cache; the join is memoised, and
// a refresh keeps the node objects that did not change (model/share-model.ts).
import { useQueries } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { blockGraphReads } from '../../api/block-graph-queries.ts';
import { useQmpClient, useTargetName } from '../../api/qmp-context.tsx';
import { buildBlockGraphModel } from './model/build-model.ts';
import { shareUnchanged, withJobs } from './model/share-model.ts';
import type { BlockGraphModel, GraphInputs } from './model/types.ts';

/**
 * The last inputs and model, so the next model can share what did not change. Keyed by the
 * inputs' identities: rendering twice with the same inputs gives the same model.
 */
class ModelMemo {
  private last: { inputs: GraphInputs & { graph: object }; model: BlockGraphModel } | null = null;

  model(inputs: GraphInputs): BlockGraphModel {
    const last = this.last;
    const same = (key: keyof GraphInputs) => last?.inputs[key] === inputs[key];
    let model: BlockGraphModel;
    if (
      last &&
      same('graph') &&
      same('namedNodes') &&
      same('blocks') &&
      same('exports') &&
      same('throttleGroups')
    )
      model = same('jobs') ? last.model : withJobs(last.model, inputs.jobs);
    else model = shareUnchanged(last?.model, buildBlockGraphModel(inputs));
    this.last = { inputs, model };
    return model;
  }
}

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
    queries: blockGraphReads(client, target),
  });
  const [memo] = useState(() => new ModelMemo());
  const model = useMemo(
    () =>
      graph.data
        ? memo.model({
            graph: graph.data,
            namedNodes: named.data,
            blocks: blocks.data,
            jobs: jobs.data,
            exports: exports.data,
            throttleGroups: groups.data,
          })
        : undefined,
    [memo, graph.data, named.data, blocks.data, jobs.data, exports.data, groups.data],
  );
  const isFetching = [graph, named, blocks, jobs, exports, groups].some((q) => q.isFetching);
  return { model, error: graph.error, isFetching };
}

/** The current model, or undefined until the first graph read returns. */
export function useBlockGraphModel(): BlockGraphModel | undefined {
  return useBlockGraphState().model;
}
