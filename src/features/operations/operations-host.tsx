// Provides OperationLauncherContext to the graph and shows the chosen operation's guided panel
// as a dialog. Mount it inside the QmpProvider, around the graph (the app shell does this).
import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import {
  OperationLauncherContext,
  type OperationKind,
  type OperationLauncher,
} from '../block-graph/operation-entry.ts';
import type { GraphNode } from '../block-graph/model/types.ts';
import type { LiveState } from './plans/live-state.ts';
import { deviceForNode } from './plans/throttle-device.ts';
import { BackupPanel } from './panels/backup-panel.tsx';
import { CommitPanel } from './panels/commit-panel.tsx';
import { ExportOperationPanel } from './panels/export-op-panel.tsx';
import { MirrorPanel } from './panels/mirror-panel.tsx';
import { SnapshotPanel } from './panels/snapshot-panel.tsx';
import { ThrottlePanel } from './panels/throttle-panel.tsx';
import { useLiveState } from './use-operations.ts';

const TITLES: Record<OperationKind, string> = {
  mirror: 'Mirror',
  backup: 'Backup',
  commit: 'Commit',
  export: 'Export',
  throttle: 'Throttle',
  snapshot: 'Snapshot',
};

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
      return <CommitPanel live={live} node={open.node} />;
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
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  const title = `${TITLES[open.kind]} ${open.qdev ?? open.node}`;
  return (
    <div className="fixed inset-0 z-50 grid place-items-center bg-black/40 p-4">
      <div
        role="dialog"
        aria-modal="true"
        aria-label={title}
        className="flex max-h-full w-[44rem] max-w-full flex-col gap-3 overflow-auto rounded-lg bg-white p-4 shadow-xl dark:bg-slate-900"
      >
        <div className="flex items-center">
          <h2 className="text-lg font-semibold">{title}</h2>
          <button
            type="button"
            onClick={onClose}
            className="ml-auto rounded border px-2 py-0.5 text-sm"
          >
            Close
          </button>
        </div>
        {error && <p role="alert">Cannot read the block layer: {error.message}</p>}
        {live ? (
          <Panel key={`${open.kind}:${open.node}`} open={open} live={live} />
        ) : (
          !error && <p className="text-sm text-slate-500">Reading the live state…</p>
        )}
      </div>
    </div>
  );
}

/** Wrap the graph (and anything else that launches operations) in this. */
export function OperationsHost({ children }: { children: ReactNode }) {
  const [open, setOpen] = useState<OpenOperation | null>(null);
  const launcher = useMemo<OperationLauncher>(
    () => ({ open: (kind, node) => setOpen(operationSubject(kind, node)) }),
    [],
  );
  const close = useCallback(() => setOpen(null), []);
  return (
    <OperationLauncherContext.Provider value={launcher}>
      {children}
      {open && <OperationDialog open={open} onClose={close} />}
    </OperationLauncherContext.Provider>
  );
}
