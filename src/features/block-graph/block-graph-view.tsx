// The live block graph of the selected target: React Flow over the joined model, laid out by ELK
// in a worker, kept current by QMP events, with search, a device filter, exports and a details
// panel. The shell mounts it inside <section aria-label="Block graph">.
import '@xyflow/react/dist/style.css';
import {
  Background,
  Controls,
  MiniMap,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
  type NodeChange,
} from '@xyflow/react';
import { useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';
import { useTargetName } from '../../api/qmp-context.tsx';
import { useFocusNodeRequests } from './focus-node.ts';
import { NodeNotesContext } from './node-notes.ts';
import { downloadDot, downloadPng, downloadSvg } from './export/download.ts';
import { warmLayoutEngine } from './layout/layout-client.ts';
import { useGraphLayout } from './layout/use-graph-layout.ts';
import { useBlockGraphState } from './use-block-graph-model.ts';
import { boundsOf } from './view/bounds.ts';
import type { BlockFlowNode } from './view/flow-types.ts';
import { flowElements, matchesSearch, visibleIds, type ViewChoices } from './view/flow-elements.ts';
import { GraphToolbar } from './view/graph-toolbar.tsx';
import { KIND_STYLE } from './view/kind-style.ts';
import { nodeTypes } from './view/node-cards.tsx';
import { NodeDetailsPanel } from './view/node-details-panel.tsx';
import { edgeTypes } from './view/perm-edge.tsx';
import { useDarkMode } from './view/use-dark-mode.ts';

/** Above this many nodes only what is on screen is rendered, to keep pan and zoom smooth. */
const VIRTUALISE_ABOVE = 300;

export function BlockGraphView() {
  useEffect(warmLayoutEngine, []);
  return (
    <ReactFlowProvider>
      <GraphCanvas />
    </ReactFlowProvider>
  );
}

function GraphCanvas() {
  const target = useTargetName();
  const { model, error, isFetching } = useBlockGraphState();
  const layout = useGraphLayout(model);
  const [choices, setChoices] = useState<ViewChoices>({ device: null, search: '', selected: null });
  const { fitBounds } = useReactFlow();
  const dark = useDarkMode();

  const notesOf = useContext(NodeNotesContext);
  const notes = useMemo(() => (model ? notesOf(model) : undefined), [model, notesOf]);
  const elements = useMemo(
    () =>
      model ? flowElements(model, layout.positions, choices, notes) : { nodes: [], edges: [] },
    [model, layout.positions, choices, notes],
  );

  const fitTo = useCallback(
    (ids: Iterable<string>, duration = 200) => {
      const rect = model ? boundsOf(ids, model, layout.positions) : null;
      if (rect) void fitBounds(rect, { padding: 0.1, duration });
    },
    [fitBounds, model, layout.positions],
  );

  // Fit once when the first layout arrives; later changes must not move the picture.
  const fitted = useRef(false);
  useEffect(() => {
    if (fitted.current || layout.laidOutKey === null) return;
    fitted.current = true;
    fitTo(Object.keys(layout.positions), 0);
  }, [layout.laidOutKey, layout.positions, fitTo]);

  const onNodesChange = useCallback(
    (changes: NodeChange<BlockFlowNode>[]) => {
      for (const change of changes) {
        if (change.type === 'position' && change.position)
          layout.moveNode(change.id, change.position);
      }
    },
    [layout],
  );

  // A link elsewhere (a job's source or target) selects that node and brings it into view.
  useFocusNodeRequests((nodeName) => {
    const node = model?.nodes.find((n) => n.name === nodeName && n.kind !== 'job');
    if (!node) return;
    setChoices((c) => ({ ...c, device: null, selected: node.id }));
    fitTo([node.id]);
  });

  const selected = choices.selected ? model?.byId.get(choices.selected) : undefined;
  const devices = useMemo(() => model?.nodes.filter((n) => n.kind === 'device') ?? [], [model]);
  const filename = `${target}-block-graph`;
  const visible = useCallback(
    (id: string) => (model ? visibleIds(model, choices.device).has(id) : false),
    [model, choices.device],
  );

  const status = error
    ? ''
    : !model
      ? 'Reading the graph…'
      : layout.laidOutKey !== model.topologyKey
        ? 'Laying out…'
        : `${model.nodes.length} nodes${isFetching ? ' · refreshing' : ''}`;

  return (
    <div className="absolute inset-0">
      <GraphToolbar
        search={choices.search}
        onSearch={(search) => setChoices((c) => ({ ...c, search }))}
        onSearchSubmit={() => {
          if (!model) return;
          const hits = model.nodes.filter((n) => matchesSearch(n, choices.search)).map((n) => n.id);
          if (hits.length > 0) fitTo(hits);
        }}
        devices={devices}
        device={choices.device}
        onDevice={(device) => {
          setChoices((c) => ({ ...c, device }));
          if (model) fitTo(visibleIds(model, device));
        }}
        onFit={() => model && fitTo(visibleIds(model, choices.device))}
        onTidy={layout.tidy}
        onExport={(format) => {
          if (!model) return;
          if (format === 'dot') downloadDot(model, filename);
          else if (format === 'svg') downloadSvg(model, layout.positions, visible, filename);
          else void downloadPng(model, layout.positions, visible, filename);
        }}
        status={status}
      />
      {(error || layout.error) && (
        <p
          role="alert"
          className="absolute top-14 left-2 z-10 rounded bg-red-50 px-2 py-1 text-sm text-red-800 dark:bg-red-950 dark:text-red-200"
        >
          {error
            ? `Cannot read the block graph: ${error.message}`
            : `Layout failed: ${layout.error}`}
        </p>
      )}
      <ReactFlow
        nodes={elements.nodes}
        edges={elements.edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        onNodesChange={onNodesChange}
        onNodeClick={(_, node) => setChoices((c) => ({ ...c, selected: node.id }))}
        onPaneClick={() => setChoices((c) => ({ ...c, selected: null }))}
        onlyRenderVisibleElements={elements.nodes.length > VIRTUALISE_ABOVE}
        nodesConnectable={false}
        edgesFocusable={false}
        minZoom={0.05}
        colorMode={dark ? 'dark' : 'light'}
      >
        <Background />
        <Controls showInteractive={false} />
        <MiniMap
          pannable
          zoomable
          nodeColor={(n) => KIND_STYLE[(n as BlockFlowNode).data.node.kind].stroke}
        />
      </ReactFlow>
      {selected && model && (
        <NodeDetailsPanel
          node={selected}
          model={model}
          note={notes?.get(selected.id)}
          onClose={() => setChoices((c) => ({ ...c, selected: null }))}
        />
      )}
    </div>
  );
}
