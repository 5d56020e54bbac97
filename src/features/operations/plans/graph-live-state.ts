// The graph's cached reads seen as a LiveState. They are the same QMP replies readLiveState asks
// for (x-debug-query-block-graph, query-named-block-nodes {flat}, query-block, query-jobs,
// query-block-exports), kept current by the graph's events, so the details panel can say at once
// whether a node could be removed without reading anything again. A plan that runs still starts
// from a fresh readLiveState.
import type { GraphInputs } from '../../block-graph/model/types.ts';
import type { BlockInfo, LiveState, NamedNode } from './live-state.ts';

export function liveStateFromGraph(inputs: GraphInputs): LiveState {
  return {
    graph: inputs.graph,
    // Same replies, typed by each reader for the members it uses.
    nodes: (inputs.namedNodes ?? []) as NamedNode[],
    blocks: (inputs.blocks ?? []) as unknown as BlockInfo[],
    jobs: inputs.jobs ?? [],
    exports: inputs.exports ?? [],
    throttleGroups: inputs.throttleGroups ?? [],
    nbdServer: { state: 'unknown' },
    // The graph does not read query-commands; nothing that uses this state depends on it.
    commands: new Set(),
  };
}
