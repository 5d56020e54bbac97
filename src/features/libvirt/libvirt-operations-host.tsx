// On a libvirt guest that Blockscope only watches (no --libvirt-allow-writes), the graph's
// operations open libvirt's way to do them instead of Blockscope's dialogs: the app shell mounts
// this in place of the operations feature's host. Remove node is libvirt's too (detach-disk).
import { useCallback, useMemo, useState, type ReactNode } from 'react';
import {
  OperationLauncherContext,
  type OperationKind,
  type OperationLauncher,
} from '../block-graph/operation-entry.ts';
import type { BlockGraphModel, GraphNode } from '../block-graph/model/types.ts';
import type { LibvirtTarget } from '../../api/session.ts';
import { chainOf, diskOfNode, fileOf } from './libvirt-disks.ts';
import { virshPlan, type VirshPlan } from './virsh-commands.ts';
import { VirshDialog } from './virsh-dialog.tsx';

/** The plan for `kind` on `node`, or null when the node belongs to none of the listed disks. */
export function planFor(
  target: LibvirtTarget,
  kind: OperationKind,
  node: GraphNode,
  model: BlockGraphModel,
): VirshPlan | null {
  const match = diskOfNode(node, model, target.disks);
  if (!match) return null;
  const chain = chainOf(match.device, model);
  // Commit opened on an image below the active one commits that image (virsh blockcommit --top).
  const below = kind === 'commit' && chain.indexOf(node) > 0 ? fileOf(node, model) : undefined;
  return virshPlan(kind, {
    uri: target.uri,
    domain: target.domain,
    disk: match.disk,
    disks: target.disks,
    ...(below ? { image: below } : {}),
  });
}

export function LibvirtOperationsHost({
  target,
  children,
}: {
  target: LibvirtTarget;
  children: ReactNode;
}) {
  const [open, setOpen] = useState<{ plan: VirshPlan | null } | null>(null);
  const launcher = useMemo<OperationLauncher>(
    () => ({
      open: (kind, node, model) => setOpen({ plan: planFor(target, kind, node, model) }),
      removal: () => ({
        enabled: false,
        reason: `libvirt manages ${target.domain}'s disks: use virsh detach-disk`,
      }),
      remove: () => {},
    }),
    [target],
  );
  const close = useCallback(() => setOpen(null), []);
  return (
    <OperationLauncherContext.Provider value={launcher}>
      {children}
      {open && (
        <VirshDialog uri={target.uri} domain={target.domain} plan={open.plan} onClose={close} />
      )}
    </OperationLauncherContext.Provider>
  );
}
