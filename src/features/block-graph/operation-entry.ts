// The contract between the graph and the operation panels: the details panel offers each
// operation for the selected node, says why one does not apply, and hands the choice to whoever
// provides OperationLauncherContext (the operations feature). Rules from qmp-domain.md §5.
import { createContext } from 'react';
import type { BlockGraphModel, GraphNode } from './model/types.ts';

export type OperationKind =
  'mirror' | 'backup' | 'commit' | 'stream' | 'export' | 'throttle' | 'snapshot';

export const OPERATION_KINDS: readonly OperationKind[] = [
  'mirror',
  'backup',
  'commit',
  'stream',
  'export',
  'throttle',
  'snapshot',
];

export interface OperationLauncher {
  /** `model` is the graph the node was chosen in (a launcher may look around the node in it). */
  open(kind: OperationKind, node: GraphNode, model: BlockGraphModel): void;
  /** Whether "Remove node" can close this block node now, and if not, why (e.g. "Used by device vda"). */
  removal(node: GraphNode): Availability;
  /** Asks for confirmation, then closes the node and what goes with it. */
  remove(node: GraphNode): void;
}

/** The default when no operations feature is mounted: every button disabled, "not available". */
export const NO_OPERATION_LAUNCHER: OperationLauncher = {
  open: () => {},
  removal: () => ({ enabled: false, reason: 'not available' }),
  remove: () => {},
};

export const OperationLauncherContext = createContext<OperationLauncher>(NO_OPERATION_LAUNCHER);

export interface Availability {
  enabled: boolean;
  reason?: string;
}

const BLOCK_NODE_KINDS = new Set(['format', 'protocol', 'filter']);

/** Block-driver nodes (format, protocol, filter): what blockdev-del and exports work on. */
export function isBlockNode(node: GraphNode): boolean {
  return BLOCK_NODE_KINDS.has(node.kind);
}

/** A device's node: the block node its BlockBackend's `root` edge points at. */
export function rootChildOf(node: GraphNode, model: BlockGraphModel): GraphNode | undefined {
  const edge = model.edges.find((e) => e.source === node.id && e.role === 'root');
  return edge ? model.byId.get(edge.target) : undefined;
}

/** Block-driver parents only: BlockBackends (devices, exports) and jobs do not count. */
function blockParents(node: GraphNode, model: BlockGraphModel): GraphNode[] {
  return model.edges
    .filter((e) => e.target === node.id)
    .map((e) => model.byId.get(e.source))
    .filter((p): p is GraphNode => p !== undefined && BLOCK_NODE_KINDS.has(p.kind));
}

/** Mirror, backup and commit take a root node ("Need a root block node", qmp-domain.md §5.1). */
function jobSource(
  node: GraphNode,
  model: BlockGraphModel,
): Availability & { subject?: GraphNode } {
  const subject = node.kind === 'device' ? rootChildOf(node, model) : node;
  if (!subject || !BLOCK_NODE_KINDS.has(subject.kind)) {
    return { enabled: false, reason: 'Not a block node' };
  }
  const parents = blockParents(subject, model);
  if (parents.length > 0) {
    const above = parents.map((p) => p.name).join(', ');
    return { enabled: false, reason: `Need a root block node: start from ${above}` };
  }
  if (subject.jobs.length > 0) {
    return { enabled: false, reason: `In use by job ${subject.jobs.join(', ')}` };
  }
  return { enabled: true, subject };
}

export function operationAvailability(
  node: GraphNode,
  model: BlockGraphModel,
): Record<OperationKind, Availability> {
  const source = jobSource(node, model);
  const plain = (a: Availability): Availability =>
    a.enabled ? { enabled: true } : { enabled: false, reason: a.reason };
  const commit: Availability = !source.enabled
    ? plain(source)
    : (source.subject?.backingDepth ?? 0) > 0
      ? { enabled: true }
      : { enabled: false, reason: 'No backing image to commit into' };
  const isBlockNode = BLOCK_NODE_KINDS.has(node.kind);
  const snapshot: Availability = !source.enabled
    ? plain(source)
    : source.subject?.kind === 'format'
      ? { enabled: true }
      : { enabled: false, reason: 'Snapshots need a format node (qcow2, …)' };
  return {
    mirror: plain(source),
    backup: plain(source),
    commit,
    // Stream pulls the same chain the other way: it needs a backing image just as commit does.
    stream: commit.enabled
      ? { enabled: true }
      : { ...commit, reason: commit.reason?.replace('to commit into', 'to stream from') },
    export: isBlockNode
      ? { enabled: true }
      : { enabled: false, reason: 'Export a block node, not a device, job or export' },
    // Devices get per-device limits and groups; any block node can be put in a throttle group
    // (the only kind of throttling qemu-storage-daemon has).
    throttle:
      node.kind === 'device' || isBlockNode
        ? { enabled: true }
        : { enabled: false, reason: 'Throttle a device or a block node, not a job or export' },
    snapshot,
  };
}
