// Provides OperationLauncherContext to the graph and shows the chosen operation's guided panel
// as a dialog. Mount it inside the QmpProvider, around the graph (the app shell does this).
import { lazy, Suspense, useCallback, useMemo, useState, type ReactNode } from 'react';
import { useReadOnlyReason } from '../../api/session.ts';
import { DialogCloseButton, ModalDialog } from '../../components/modal-dialog.tsx';
import {
  isBlockNode,
  OperationLauncherContext,
  type Availability,
  type OperationKind,
  type OperationLauncher,
} from '../block-graph/operation-entry.ts';
import { shortDeviceName } from '../block-graph/model/node-kind.ts';
import type { GraphNode } from '../block-graph/model/types.ts';
import type { LiveState } from './plans/live-state.ts';
import { closableTree, listNames, removalBlocker } from './plans/node-removal.ts';
import { deviceForNode } from './plans/throttle-device.ts';
import { RemoveNodeDialog } from './remove-node-dialog.tsx';
import { useGraphLiveState } from './use-graph-live-state.ts';
import { PlanRunStarted } from './plan-review.tsx';
import { useLiveState } from './use-operations.ts';

// Each operation's panel is loaded when its dialog first opens: the graph does not need them.
const BackupPanel = lazy(() =>
  import('./panels/backup-panel.tsx').then((m) => ({ default: m.BackupPanel })),
);
const CommitPanel = lazy(() =>
  import('./panels/commit-panel.tsx').then((m) => ({ default: m.CommitPanel })),
);
const ExportOperationPanel = lazy(() =>
  import('./panels/export-op-panel.tsx').then((m) => ({ default: m.ExportOperationPanel })),
);
const MirrorPanel = lazy(() =>
  import('./panels/mirror-panel.tsx').then((m) => ({ default: m.MirrorPanel })),
);
const SnapshotPanel = lazy(() =>
  import('./panels/snapshot-panel.tsx').then((m) => ({ default: m.SnapshotPanel })),
);
const ThrottlePanel = lazy(() =>
  import('./panels/throttle-panel.tsx').then((m) => ({ default: m.ThrottlePanel })),
);

const TITLES: Record<OperationKind, string> = {
  mirror: 'Mirror',
  backup: 'Backup',
  commit: 'Commit',
  stream: 'Stream',
  export: 'Export',
  throttle: 'Throttle',
  snapshot: 'Snapshot',
};

/** Panels made of one form and its plan; the throttle panel holds several, each with its own. */
const FREEZES_FORM = new Set<OperationKind>([
  'mirror',
  'backup',
  'commit',
  'stream',
  'export',
  'snapshot',
]);
const ignore = () => undefined;

export interface OpenOperation {
  kind: OperationKind;
  /** The block node the operation works on (a device's root node for devices). */
  node: string;
  /** Set when opened on a guest device. */
  qdev?: string;
}

/** Devices operate on the node their BlockBackend holds; every other node on itself. */
export function operationSubject(kind: OperationKind, node: GraphNode): OpenOperation {
  if (node.kind === 'device') {
    return { kind, node: node.raw.block?.inserted?.['node-name'] ?? '', qdev: node.name };
  }
  return { kind, node: node.name };
}

function Panel({ open, live }: { open: OpenOperation; live: LiveState }) {
  switch (open.kind) {
    case 'mirror':
      return <MirrorPanel live={live} source={open.node} />;
    case 'backup':
      return <BackupPanel live={live} source={open.node} />;
    case 'commit':
      return <CommitPanel live={live} node={open.node} mode="commit" />;
    case 'stream':
      return <CommitPanel live={live} node={open.node} mode="stream" />;
    case 'export':
      return <ExportOperationPanel live={live} node={open.node} />;
    case 'snapshot':
      return <SnapshotPanel live={live} node={open.node} />;
    case 'throttle':
      return (
        <ThrottlePanel
          live={live}
          node={open.node}
          qdev={open.qdev ?? deviceForNode(live, open.node)?.qdev}
        />
      );
  }
}

export function OperationDialog({ open, onClose }: { open: OpenOperation; onClose: () => void }) {
  const { live, error } = useLiveState();
  // A device by its short name (vda), not its QOM path.
  const title = `${TITLES[open.kind]} ${open.qdev ? shortDeviceName(open.qdev) : open.node}`;
  const [started, setStarted] = useState(false);
  return (
    <ModalDialog label={title} onClose={onClose}>
      <div className="flex items-center">
        <h2 className="text-lg font-semibold">{title}</h2>
        <DialogCloseButton onClose={onClose} />
      </div>
      {error && <p role="alert">Cannot read the block layer: {error.message}</p>}
      {live ? (
        <PlanRunStarted.Provider value={FREEZES_FORM.has(open.kind) ? setStarted : ignore}>
          {/* Once a plan runs, only its review stays: the form's inputs are what it ran. */}
          <div
            data-running={started}
            className="[&[data-running=true]>div>*:not([data-plan-review])]:hidden"
          >
            <Suspense
              fallback={<p className="text-sm text-slate-500 dark:text-slate-400">Loading…</p>}
            >
              <Panel key={`${open.kind}:${open.node}`} open={open} live={live} />
            </Suspense>
          </div>
        </PlanRunStarted.Provider>
      ) : (
        !error && (
          <p className="text-sm text-slate-500 dark:text-slate-400">Reading the live state…</p>
        )
      )}
    </ModalDialog>
  );
}

/** "Remove node" for a block node, judged on the graph's current reads (the dialog reads afresh). */
function removalOf(
  live: LiveState | undefined,
  node: GraphNode,
  readOnly: string | null,
): Availability {
  if (!isBlockNode(node)) return { enabled: false, reason: 'Not a block node' };
  if (readOnly) return { enabled: false, reason: readOnly };
  if (!live) return { enabled: false, reason: 'Reading the block graph…' };
  const blocker = removalBlocker(live, node.name);
  if (blocker) return { enabled: false, reason: blocker };
  return { enabled: true, reason: `Closes ${listNames(closableTree(live, node.name))}` };
}

/** Wrap the graph (and anything else that launches operations) in this. */
export function OperationsHost({ children }: { children: ReactNode }) {
  const [open, setOpen] = useState<OpenOperation | null>(null);
  const [removing, setRemoving] = useState<string | null>(null);
  const graphLive = useGraphLiveState();
  // The proxy refuses blockdev-del to a viewer anyway; say so before anything is tried.
  const readOnly = useReadOnlyReason();
  const launcher = useMemo<OperationLauncher>(
    () => ({
      open: (kind, node) => setOpen(operationSubject(kind, node)),
      removal: (node) => removalOf(graphLive, node, readOnly),
      remove: (node) => setRemoving(node.name),
    }),
    [graphLive, readOnly],
  );
  const close = useCallback(() => setOpen(null), []);
  const closeRemoval = useCallback(() => setRemoving(null), []);
  return (
    <OperationLauncherContext.Provider value={launcher}>
      {children}
      {open && <OperationDialog open={open} onClose={close} />}
      {removing !== null && <RemoveNodeDialog node={removing} onClose={closeRemoval} />}
    </OperationLauncherContext.Provider>
  );
}
