// External snapshot: a new qcow2 overlay on top of a node; the node becomes its read-only
// backing and writes go to the overlay, so the graph shows a longer chain.
import { findNode, parentsOf, topmostAbove } from './graph-queries.ts';
import type { LiveState } from './live-state.ts';
import { newNodeNameProblem, pathProblem, suggestNodeName } from './names.ts';
import { newFileCheck, type NewFileInputs } from './new-file.ts';
import { existingNodeProblem } from './source-checks.ts';
import { planned, refuse, type PlanResult, type Problem } from './types.ts';

/** `lookup` and `overwrite` (new-file.ts) say what is at `path`: QEMU creates the overlay there. */
export interface SnapshotInput extends NewFileInputs {
  node: string;
  path: string;
  snapshotNodeName: string;
}

export function defaultSnapshotInput(live: LiveState, node: string): SnapshotInput {
  const n = findNode(live, node);
  const file = n?.image.filename ?? n?.file ?? '';
  const dir = file.startsWith('/') ? file.slice(0, file.lastIndexOf('/')) : '/tmp';
  const snapshotNodeName = suggestNodeName(live, `${node}-snap`);
  return { node, path: `${dir}/${snapshotNodeName}.qcow2`, snapshotNodeName };
}

export function planSnapshot(live: LiveState, input: SnapshotInput): PlanResult {
  const problems = [
    existingNodeProblem(live, input.node, 'node'),
    pathProblem(input.path, 'path'),
    newNodeNameProblem(live, input.snapshotNodeName, 'snapshot-node-name'),
  ].filter((p): p is Problem => p !== null);
  if (live.nodes.some((n) => n.file === input.path)) {
    problems.push({
      field: 'path',
      message: `'${input.path}' is already open in QEMU; choose a new file.`,
    });
  }
  const pathOk = !problems.some((p) => p.field === 'path');
  if (problems.length === 0 && parentsOf(live, input.node).length === 0) {
    // The overlay is not monitor-owned: with no user to hold it QEMU frees it at once.
    problems.push({
      field: 'node',
      message: `Nothing uses '${input.node}' (no device, export or layer above it): QEMU would write the overlay file and drop the new node at once. Attach or export the node first.`,
    });
  }
  const created = pathOk
    ? newFileCheck(input.path, input, 'path')
    : { problem: null, warning: null };
  if (created.problem) problems.push(created.problem);
  if (problems.length > 0) return refuse(...problems);
  const top = topmostAbove(live, input.node);
  const note =
    top !== input.node ? ` Users of '${top}' keep it; it then reads through the overlay.` : '';
  return planned({
    summary: `Take an external snapshot of '${input.node}': new writes go to ${input.path} (node '${input.snapshotNodeName}').${note}`,
    steps: [
      {
        title: 'Create the overlay',
        explanation: `QEMU creates a qcow2 image backed by '${input.node}' and switches every user of '${input.node}' to it.`,
        command: 'blockdev-snapshot-sync',
        arguments: {
          'node-name': input.node,
          'snapshot-file': input.path,
          'snapshot-node-name': input.snapshotNodeName,
          format: 'qcow2',
          mode: 'absolute-paths',
        },
        createsFile: { path: input.path, overwriteConfirmed: input.overwrite === input.path },
      },
    ],
    jobIds: [],
    warnings: created.warning ? [created.warning] : [],
    result: { nodeName: input.snapshotNodeName },
  });
}
