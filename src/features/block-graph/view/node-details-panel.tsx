// The details of the selected node: everything the model knows, the edges with their full
// permissions, the raw QMP results it was joined from, and the entry points of the operations.
import { useQuery } from '@tanstack/react-query';
import { lazy, Suspense, useContext, useEffect, useRef, type ReactNode } from 'react';
import { backupLedgerOptions } from '../../../api/backup-ledger-queries.ts';
import { bitmapOrigin, describeOrigin, findBackupRecord } from '../../../api/bitmap-origin.ts';
import { liveNamedNodesOptions } from '../../../api/block-graph-queries.ts';
import { useQmpClient, useTargetName } from '../../../api/qmp-context.tsx';
import { useReadOnlyReason } from '../../../api/session.ts';
import {
  isBlockNode,
  NO_OPERATION_LAUNCHER,
  OPERATION_KINDS,
  OperationLauncherContext,
  operationAvailability,
} from '../operation-entry.ts';
import type { BlockGraphModel, GraphNode } from '../model/types.ts';
import { permLetters } from '../model/permissions.ts';
import type { NodeNote } from '../node-notes.ts';
import { KIND_STYLE } from './kind-style.ts';
import { formatBytes } from '../../../schema/units.ts';

// Its charts and histograms load with the first node shown in details, not with the page.
const IoPanel = lazy(() =>
  import('../io-stats/io-panel.tsx').then((m) => ({ default: m.IoPanel })),
);

function Row({ name, children }: { name: string; children: ReactNode }) {
  return (
    <>
      <dt className="text-slate-500 dark:text-slate-400">{name}</dt>
      <dd className="min-w-0 break-all">{children}</dd>
    </>
  );
}

const names = (ids: string[], model: BlockGraphModel) =>
  ids.map((id) => model.byId.get(id)?.label ?? id).join(', ') || '—';

function OperationButtons({ node, model }: { node: GraphNode; model: BlockGraphModel }) {
  const launcher = useContext(OperationLauncherContext);
  const available = launcher !== NO_OPERATION_LAUNCHER;
  const readOnly = useReadOnlyReason();
  const rules = operationAvailability(node, model);
  return (
    <div role="group" aria-label="Operations" className="flex flex-wrap gap-1">
      {OPERATION_KINDS.map((kind) => {
        const rule = !available
          ? { enabled: false, reason: 'not available' }
          : readOnly
            ? { enabled: false, reason: readOnly }
            : rules[kind];
        const label = kind[0]!.toUpperCase() + kind.slice(1);
        return (
          <button
            key={kind}
            type="button"
            disabled={!rule.enabled}
            title={rule.reason}
            aria-description={rule.reason}
            onClick={() => launcher.open(kind, node, model)}
            className="rounded border border-slate-300 px-2 py-1 text-xs enabled:hover:bg-slate-100 disabled:opacity-50 dark:border-slate-700 dark:enabled:hover:bg-slate-800"
          >
            {label}
          </button>
        );
      })}
    </div>
  );
}

/** Closes the node (blockdev-del) after a confirmation; disabled with the reason when it is in use. */
function RemoveNodeButton({ node }: { node: GraphNode }) {
  const launcher = useContext(OperationLauncherContext);
  const rule = launcher.removal(node);
  return (
    <div className="flex items-center gap-2">
      <button
        type="button"
        disabled={!rule.enabled}
        title={rule.reason}
        aria-description={rule.reason}
        onClick={() => launcher.remove(node)}
        className="rounded border border-red-300 px-2 py-1 text-xs text-red-700 enabled:hover:bg-red-50 disabled:opacity-50 dark:border-red-800 dark:text-red-300 dark:enabled:hover:bg-red-950"
      >
        Remove node
      </button>
      {!rule.enabled && rule.reason && (
        <span className="min-w-0 text-xs break-words text-slate-500 dark:text-slate-400">
          {rule.reason}
        </span>
      )}
    </div>
  );
}

export function NodeDetailsPanel({
  node,
  model,
  note,
  onClose,
}: {
  node: GraphNode;
  model: BlockGraphModel;
  /** What the app shell knows of the node from outside the block layer (node-notes.ts). */
  note?: NodeNote;
  onClose(): void;
}) {
  const client = useQmpClient();
  const target = useTargetName();
  // Dirty counts and allocation move with guest writes: re-read them while a block node is shown.
  // The graph's model joins the shared cache, so the figures below follow without a reopen.
  useQuery({ ...liveNamedNodesOptions(client, target), enabled: isBlockNode(node) });
  const incoming = model.edges.filter((e) => e.target === node.id);
  const outgoing = model.edges.filter((e) => e.source === node.id);
  const throttle = node.throttle;
  const ledger = useQuery(backupLedgerOptions(useTargetName())).data;
  const panel = useRef<HTMLElement>(null);
  useEffect(() => {
    // Chosen from the keyboard (Enter on a focused node): go on into the panel, so Tab reaches
    // its operations next rather than the rest of the graph.
    const from = document.activeElement;
    if (from instanceof HTMLElement && from.matches('.react-flow__node:focus-visible')) {
      panel.current?.focus();
    }
  }, [node.id]);
  const closeToNode = () => {
    const card = document.querySelector<HTMLElement>(
      `.react-flow__node[data-id="${CSS.escape(node.id)}"]`,
    );
    onClose();
    card?.focus();
  };
  return (
    <aside
      ref={panel}
      tabIndex={-1}
      data-graph-overlay="right"
      onKeyDown={(e) => {
        const typing =
          e.target instanceof HTMLElement && e.target.closest('input, textarea, select');
        if (e.key === 'Escape' && !typing) closeToNode();
      }}
      aria-label="Node details"
      className="absolute top-0 right-0 bottom-0 z-20 flex w-80 flex-col xl:w-96 gap-3 overflow-auto border-l border-slate-200 bg-white p-3 text-sm shadow-lg outline-none focus-visible:ring-2 focus-visible:ring-sky-600 dark:border-slate-800 dark:bg-slate-900"
    >
      <div className="flex items-start gap-2">
        <div className="min-w-0 flex-1">
          <div className="text-xs text-slate-500 dark:text-slate-400 uppercase">
            {KIND_STYLE[node.kind].icon} {KIND_STYLE[node.kind].label}
          </div>
          <h2 className="font-semibold break-all">{node.name || node.label}</h2>
        </div>
        <button
          type="button"
          aria-label="Close details"
          onClick={onClose}
          className="rounded px-2 hover:bg-slate-100 dark:hover:bg-slate-800"
        >
          ✕
        </button>
      </div>
      <OperationButtons node={node} model={model} />
      {isBlockNode(node) && <RemoveNodeButton node={node} />}
      <dl className="grid grid-cols-[8rem_1fr] gap-x-2 gap-y-1">
        <Row name="Node">{node.label}</Row>
        {note?.rows.map((row) => (
          <Row key={row.name} name={row.name}>
            {row.value}
          </Row>
        ))}
        {node.driver && <Row name="Driver">{node.driver}</Row>}
        {node.fileName && <Row name="File">{node.fileName}</Row>}
        {node.format && <Row name="Format">{node.format}</Row>}
        {node.virtualSize !== undefined && (
          <Row name="Virtual size">{formatBytes(node.virtualSize)}</Row>
        )}
        {node.actualSize !== undefined && (
          <Row name="Allocated">{formatBytes(node.actualSize)}</Row>
        )}
        {node.readOnly !== undefined && <Row name="Read-only">{node.readOnly ? 'yes' : 'no'}</Row>}
        {node.cacheMode && <Row name="Cache">{node.cacheMode}</Row>}
        <Row name="Backing depth">{node.backingDepth}</Row>
        {node.backingFile && <Row name="Backing file">{node.backingFile}</Row>}
        <Row name="Dirty bitmaps">
          {node.dirtyBitmaps.length === 0 ? (
            '—'
          ) : (
            <ul>
              {node.dirtyBitmaps.map((b, i) => {
                // A bitmap without a name belongs to a running job and has no record.
                const origin =
                  b.name === undefined
                    ? null
                    : bitmapOrigin(findBackupRecord(ledger?.backups, [node.name], b.name));
                return (
                  <li key={b.name ?? `#${i}`}>
                    {b.name ?? '(job)'} {formatBytes(b.count)} dirty
                    {b.recording === false ? ', not recording' : ''}
                    {origin && (
                      <span
                        className={
                          origin.kind === 'untrusted'
                            ? 'block text-xs text-amber-800 dark:text-amber-200'
                            : 'block text-xs text-slate-500 dark:text-slate-400'
                        }
                      >
                        {origin.kind === 'untrusted' ? 'untrusted: ' : ''}
                        {describeOrigin(origin)}
                      </span>
                    )}
                  </li>
                );
              })}
            </ul>
          )}
        </Row>
        <Row name="Devices">{names(node.devices, model)}</Row>
        <Row name="Jobs">{node.jobs.join(', ') || '—'}</Row>
        <Row name="Exports">{node.exports.join(', ') || '—'}</Row>
        <Row name="Throttled">
          {throttle
            ? `${throttle.how}${throttle.group ? `, group ${throttle.group}` : ''}${
                Object.keys(throttle.limits).length > 0
                  ? `: ${Object.entries(throttle.limits)
                      .filter(([, v]) => v > 0)
                      .map(([k, v]) => `${k}=${v}`)
                      .join(' ')}`
                  : ''
              }`
            : 'no'}
        </Row>
        {node.job && (
          <Row name="Job">
            {node.job.type} · {node.job.status} · {node.job['current-progress']}/
            {node.job['total-progress']}
            {node.job.error ? ` · ${node.job.error}` : ''}
          </Row>
        )}
      </dl>
      <Suspense
        fallback={<p className="text-xs text-slate-500 dark:text-slate-400">Loading I/O…</p>}
      >
        <IoPanel node={node} model={model} />
      </Suspense>
      <section aria-label="Edges">
        <h3 className="mb-1 font-medium">Edges</h3>
        <ul className="space-y-0.5 font-mono text-xs">
          {[...incoming, ...outgoing].map((e) => (
            <li
              key={e.id}
              className={e.conflicts.length > 0 ? 'text-red-700 dark:text-red-300' : ''}
            >
              {e.target === node.id
                ? `← ${model.byId.get(e.source)?.label ?? e.source}`
                : `→ ${model.byId.get(e.target)?.label ?? e.target}`}{' '}
              [{e.role}] {permLetters(e.perm)}/{permLetters(e.shared)}
              {e.conflicts.length > 0 && ` conflict: ${e.conflicts.join(', ')} not shared`}
            </li>
          ))}
        </ul>
      </section>
      <details>
        <summary className="cursor-pointer font-medium">Raw query results</summary>
        <pre className="mt-1 overflow-auto rounded bg-slate-100 p-2 text-[11px] dark:bg-slate-950">
          {JSON.stringify(node.raw, null, 2)}
        </pre>
      </details>
    </aside>
  );
}
