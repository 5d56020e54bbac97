// The live block graph of the selected target: React Flow over the joined model, laid out (in a
// worker) by layout/layered-layout.ts, kept current by QMP events, with search, a device filter,
// exports and a details panel. The shell mounts it inside <section aria-label="Block graph">.
import '@xyflow/react/dist/style.css';
import {
  Background,
  MiniMap,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
  type Node,
  type NodeChange,
} from '@xyflow/react';
import { useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';
import { useTargetName } from '../../api/qmp-context.tsx';
import { noteInAddress } from '../navigation/route.ts';
import { useFocusNodeRequests } from './focus-node.ts';
import { NodeNotesContext } from './node-notes.ts';
import { warmLayoutEngine } from './layout/layout-client.ts';
import { useGraphLayout } from './layout/use-graph-layout.ts';
import { useBlockGraphState } from './use-block-graph-model.ts';
import { boundsOf } from './view/bounds.ts';
import type { BlockFlowNode } from './view/flow-types.ts';
import {
  FlowElementsMemo,
  matchesSearch,
  shownCount,
  visibleIds,
  type ViewChoices,
} from './view/flow-elements.ts';
import { GraphToolbar } from './view/graph-toolbar.tsx';
import { KIND_STYLE } from './view/kind-style.ts';
import { nodeTypes } from './view/node-cards.tsx';
import { PermLegend } from './view/perm-legend.tsx';
import { fitViewport, inView, uncoveredArea } from './view/fit-area.ts';

const MIN_ZOOM = 0.05;
/** A fit never magnifies beyond life size: a few nodes stay at their natural size. */
const MAX_FIT_ZOOM = 1;
import { NodeDetailsPanel } from './view/node-details-panel.tsx';
import { edgeTypes } from './view/perm-edge.tsx';
import { useDarkMode } from './view/use-dark-mode.ts';
import { useBoxesOnly } from './view/use-zoomed-out.ts';
import { ZoomControls } from './view/zoom-controls.tsx';

/**
 * Above this many nodes only what is on screen is rendered, to keep pan and zoom smooth — except
 * zoomed far out, where nearly everything is on screen anyway (as plain boxes) and the filtering
 * would re-render the node layer on every move for nothing.
 */
const VIRTUALISE_ABOVE = 300;

/** At module scope, like every prop handed to React Flow, so its parts never see a new one. */
const miniMapColor = (n: Node) => KIND_STYLE[(n as BlockFlowNode).data.node.kind].stroke;

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
  const { setViewport, getViewport } = useReactFlow();
  const container = useRef<HTMLDivElement>(null);
  const dark = useDarkMode();
  const boxesOnly = useBoxesOnly();

  const notesOf = useContext(NodeNotesContext);
  const notes = useMemo(() => (model ? notesOf(model) : undefined), [model, notesOf]);
  // Reuses the node objects of the last render where nothing shown changed. A drag changes
  // `positions` in place and counts `moves`, hence that (otherwise unread) dependency.
  const [elementsMemo] = useState(() => new FlowElementsMemo());
  const elements = useMemo(
    () =>
      model ? elementsMemo.next(model, layout.positions, choices, notes) : { nodes: [], edges: [] },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [elementsMemo, model, layout.positions, layout.moves, choices, notes],
  );

  const fitTo = useCallback(
    (ids: Iterable<string>, duration = 200, details = false) => {
      const rect = model ? boundsOf(ids, model, layout.positions) : null;
      if (!rect || !container.current) return;
      const options = { details, minZoom: MIN_ZOOM, maxZoom: MAX_FIT_ZOOM };
      void setViewport(fitViewport(container.current, rect, options), { duration });
    },
    [setViewport, model, layout.positions],
  );

  // Fit once when the first layout arrives. Later changes leave the picture where it is (a
  // jumping view loses the operator's place); nodes that arrive out of sight (an operation's new
  // target, a job) are announced in the toolbar with a button that brings them into view.
  const fitted = useRef<Set<string> | null>(null);
  const [unseen, setUnseen] = useState<string[]>([]);
  useEffect(() => {
    if (layout.laidOutKey === null) return;
    const ids = Object.keys(layout.positions);
    const before = fitted.current;
    const now = new Set(ids);
    fitted.current = now;
    if (!before) return fitTo(ids, 0);
    const added = ids.filter((id) => !before.has(id));
    const area =
      added.length > 0 && model && container.current
        ? uncoveredArea(container.current, choices.selected !== null)
        : null;
    const out = added.filter((id) => {
      const rect = area && model ? boundsOf([id], model, layout.positions) : null;
      return rect !== null && area !== null && !inView(rect, getViewport(), area);
    });
    setUnseen((old) => {
      const still = old.filter((id) => now.has(id));
      return out.length === 0 && still.length === old.length ? old : [...still, ...out];
    });
  }, [layout.laidOutKey, layout.positions, fitTo, getViewport, model, choices.selected]);
  const showUnseen = useCallback(() => {
    if (!model) return;
    fitTo(visibleIds(model, choices.device), 200, choices.selected !== null);
    setUnseen([]);
  }, [fitTo, model, choices.device, choices.selected]);

  // A node chosen from the keyboard under the details panel or the toolbar (the panel covers
  // most of a narrow window) is brought into the uncovered part, at the same zoom. A click or a
  // drag leaves the picture alone: the pointer is on the node. (The panel, an effect of a child,
  // has already taken focus when the choice came from the keyboard.)
  useEffect(() => {
    if (!choices.selected || !model || !container.current) return;
    const fromKeyboard = document.activeElement?.closest('[data-graph-overlay="right"]');
    if (!fromKeyboard) return;
    const rect = boundsOf([choices.selected], model, layout.positions);
    const viewport = getViewport();
    if (!rect || inView(rect, viewport, uncoveredArea(container.current))) return;
    const zoom = { details: false, minZoom: viewport.zoom, maxZoom: viewport.zoom };
    void setViewport(fitViewport(container.current, rect, zoom), { duration: 200 });
    // Only when the choice changes: later layout changes must not pull the view back.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [choices.selected]);

  const { moveNode } = layout;
  const onNodesChange = useCallback(
    (changes: NodeChange<BlockFlowNode>[]) => {
      for (const change of changes) {
        if (change.type === 'position' && change.position) moveNode(change.id, change.position);
        // Enter or Space on a focused node selects it (Escape lets go): its details open as on a click.
        if (change.type === 'select') {
          const { id, selected } = change;
          setChoices((c) =>
            selected ? { ...c, selected: id } : c.selected === id ? { ...c, selected: null } : c,
          );
        }
      }
    },
    [moveNode],
  );
  const onNodeClick = useCallback(
    (_: unknown, node: BlockFlowNode) => setChoices((c) => ({ ...c, selected: node.id })),
    [],
  );
  const onPaneClick = useCallback(() => setChoices((c) => ({ ...c, selected: null })), []);

  // A link elsewhere (a job's source or target) selects that node and brings it into view.
  useFocusNodeRequests((nodeName) => {
    const node = model?.nodes.find((n) => n.name === nodeName && n.kind !== 'job');
    if (!node) return false;
    setChoices((c) => ({ ...c, device: null, selected: node.id }));
    fitTo([node.id], 200, true);
    return true;
  });

  const selected = choices.selected ? model?.byId.get(choices.selected) : undefined;
  // A node chosen or let go is written into the address (#/target/T/node/N), ready to be copied.
  // Only a change is: the address the page was opened with (a job's, say) stays until then.
  const selectedName = selected && selected.kind !== 'job' ? selected.name : undefined;
  const noted = useRef(selectedName);
  useEffect(() => {
    if (noted.current === selectedName) return;
    noted.current = selectedName;
    noteInAddress({ view: 'target', target, ...(selectedName ? { node: selectedName } : {}) });
  }, [target, selectedName]);
  const devices = useMemo(() => model?.nodes.filter((n) => n.kind === 'device') ?? [], [model]);
  const filename = `${target}-block-graph`;
  // Computed once per filter, not once per node asked about (that made exports O(n²)).
  const shownIds = useMemo(
    () => (model ? visibleIds(model, choices.device) : new Set<string>()),
    [model, choices.device],
  );
  const visible = useCallback((id: string) => shownIds.has(id), [shownIds]);

  const status = error
    ? ''
    : !model
      ? 'Reading the graph…'
      : layout.laidOutKey !== model.topologyKey
        ? 'Laying out…'
        : `${shownCount(model, shownIds, choices.search)}${isFetching ? ' · refreshing' : ''}`;

  return (
    <div ref={container} className="absolute inset-0">
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
          const { positions } = layout;
          // The exporters load when first asked for: a page that never saves a picture never has them.
          void import('./export/download.ts').then((save) => {
            if (format === 'dot') save.downloadDot(model, filename);
            else if (format === 'svg') save.downloadSvg(model, positions, visible, filename);
            else return save.downloadPng(model, positions, visible, filename);
          });
        }}
        status={status}
        besidePanel={selected !== undefined}
        unseen={unseen.length}
        onShowUnseen={showUnseen}
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
        onNodeClick={onNodeClick}
        onPaneClick={onPaneClick}
        onlyRenderVisibleElements={elements.nodes.length > VIRTUALISE_ABOVE && !boxesOnly}
        nodesConnectable={false}
        edgesFocusable={false}
        minZoom={MIN_ZOOM}
        colorMode={dark ? 'dark' : 'light'}
      >
        <Background />
        <ZoomControls />
        <PermLegend />
        <MiniMap pannable zoomable nodeColor={miniMapColor} />
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
