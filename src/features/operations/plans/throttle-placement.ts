// Where a throttle filter goes in a live graph, and how to take it out again (qmp-domain.md §5.5):
// above a guest device, re-point the device's `drive` with qom-set; between two layers, reopen
// the parent with the filter as its child (restating its other children, or QEMU drops them).
import type { JsonObject } from '../../../qmp/wire.ts';
import { childrenOf, findNode, parentsOf } from './graph-queries.ts';
import type { LiveState } from './live-state.ts';
import type { PlanStep } from './types.ts';

/** Formats with a backing child (qapi/block-core.json BlockdevOptionsGenericCOWFormat). */
const BACKING_FORMATS = new Set(['qcow2', 'qcow', 'qed', 'vmdk']);

export type Placement =
  | { ok: true; steps: (replacement: string) => PlanStep[]; where: string }
  | { ok: false; message: string };

/** The steps that make every user of `node` use `replacement` instead. */
export function placeBetween(live: LiveState, node: string): Placement {
  const exported = live.exports.find((e) => e['node-name'] === node);
  if (exported) {
    return {
      ok: false,
      message: `Export '${exported.id}' uses '${node}' and a live export cannot be moved: remove the export, throttle the node, then export the filter node.`,
    };
  }
  const parents = parentsOf(live, node);
  if (parents.some((p) => p.node.type === 'block-job')) {
    return { ok: false, message: `A job is running on '${node}'; wait for it to finish.` };
  }
  if (parents.length === 0) {
    return { ok: true, where: 'with nothing above it yet', steps: () => [] };
  }
  if (parents.length > 1) {
    return {
      ok: false,
      message: `'${node}' has ${parents.length} users; throttle each of them separately.`,
    };
  }
  const [parent] = parents;
  if (!parent) return { ok: true, where: '', steps: () => [] };

  if (parent.node.type === 'block-backend') {
    const qdev = parent.node.name;
    if (qdev === '')
      return { ok: false, message: `'${node}' is used by an anonymous user (a job target?).` };
    return {
      ok: true,
      where: `between device '${qdev}' and '${node}'`,
      steps: (replacement) => [
        {
          title: `Point the device at '${replacement}'`,
          explanation: `The device's drive property is switched from '${node}' to '${replacement}' while the guest runs.`,
          command: 'qom-set',
          arguments: { path: qdev, property: 'drive', value: replacement },
        },
      ],
    };
  }

  const owner = findNode(live, parent.node.name);
  if (!owner)
    return { ok: false, message: `'${parent.node.name}' above '${node}' is not a known node.` };
  return {
    ok: true,
    where: `between '${owner['node-name']}' and its ${parent.edge.name} child '${node}'`,
    steps: (replacement) => {
      const options: JsonObject = { driver: owner.drv, 'node-name': owner['node-name'] };
      for (const [role, child] of childrenOf(live, owner['node-name'])) options[role] = child;
      // A format that can have a backing states it (null when it has none), or QEMU would go
      // back to the name in the image header.
      if (BACKING_FORMATS.has(owner.drv) && !options.backing) options.backing = null;
      if (owner.ro) options['read-only'] = true;
      options[parent.edge.name] = replacement;
      return [
        {
          title: `Reopen '${owner['node-name']}' on '${replacement}'`,
          explanation: `blockdev-reopen swaps the ${parent.edge.name} child of '${owner['node-name']}' for '${replacement}', restating its other options.`,
          command: 'blockdev-reopen',
          arguments: { options: [options] },
        },
      ];
    },
  };
}
