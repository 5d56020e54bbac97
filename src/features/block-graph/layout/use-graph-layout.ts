// Positions for the current model. The layout runs (in the worker) only when the topology key
// changes; details-only refreshes reuse positions. Nodes already on screen keep their place
// (mergePositions), so a job's filter appearing does not move the rest of the picture.
import { useCallback, useEffect, useEffectEvent, useRef, useState } from 'react';
import type { BlockGraphModel } from '../model/types.ts';
import { layoutModel, type LayoutEngine, type Positions } from './layout-input.ts';
import { layoutEngine } from './layout-client.ts';
import { mergePositions } from './merge-positions.ts';
import { nodeSize } from './node-size.ts';

export interface GraphLayout {
  /** Changed in place by moveNode (see `moves`), replaced by a layout. */
  positions: Positions;
  /** Counts moveNode calls, so a view can tell that `positions` changed in place. */
  moves: number;
  /** Topology key the positions belong to; differs from the model's while a layout runs. */
  laidOutKey: string | null;
  error: string | null;
  /** Records a position the user dragged a node to. */
  moveNode(id: string, at: { x: number; y: number }): void;
  /** Forgets kept positions and lays the whole graph out afresh. */
  tidy(): void;
}

export function useGraphLayout(
  model: BlockGraphModel | undefined,
  engine: () => LayoutEngine = layoutEngine,
): GraphLayout {
  const [state, setState] = useState<{
    positions: Positions;
    key: string | null;
    error: string | null;
    moves: number;
  }>({ positions: {}, key: null, error: null, moves: 0 });
  const kept = useRef<Positions>({});
  const [generation, setGeneration] = useState(0);
  const topologyKey = model?.topologyKey;

  // Reads the latest model without making it a dependency: details-only refreshes must not re-run.
  const startLayout = useEffectEvent((isCancelled: () => boolean) => {
    const current = model;
    if (!current) return;
    const key = current.topologyKey;
    const started = performance.now();
    layoutModel(engine(), current).then(
      (fresh) => {
        if (isCancelled()) return;
        // Visible in the browser's performance timeline, for the benchmarks and for DevTools.
        performance.measure('blockscope:graph-layout', {
          start: started,
          detail: { nodes: current.nodes.length },
        });
        const sizeOf = (id: string) => nodeSize(current.byId.get(id)?.kind ?? 'format');
        const merged = mergePositions(kept.current, fresh, current.edges, sizeOf);
        kept.current = merged;
        setState((s) => ({ ...s, positions: merged, key, error: null }));
      },
      (error: unknown) => {
        if (!isCancelled()) setState((s) => ({ ...s, error: String(error) }));
      },
    );
  });

  useEffect(() => {
    if (topologyKey === undefined) return;
    let cancelled = false;
    startLayout(() => cancelled);
    return () => {
      cancelled = true;
    };
  }, [topologyKey, generation]);

  // A drag reports every mouse move: the map is updated in place rather than copied each time.
  const moveNode = useCallback((id: string, at: { x: number; y: number }) => {
    kept.current[id] = at;
    setState((s) => ({ ...s, moves: s.moves + 1 }));
  }, []);
  const tidy = useCallback(() => {
    kept.current = {};
    setGeneration((g) => g + 1);
  }, []);
  return {
    positions: state.positions,
    moves: state.moves,
    laidOutKey: state.key,
    error: state.error,
    moveNode,
    tidy,
  };
}
