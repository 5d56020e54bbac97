// Checks on the node a job starts from. Mirror, backup and commit need a root node: no block
// driver above it (devices and exports are fine), otherwise QEMU says "Need a root block node".
import { driverParents, findNode, parentsOf, topmostAbove } from './graph-queries.ts';
import type { LiveState } from './live-state.ts';
import type { Problem } from './types.ts';

export function existingNodeProblem(live: LiveState, name: string, field: string): Problem | null {
  if (name === '') return { field, message: 'Choose a node.' };
  if (!findNode(live, name)) return { field, message: `There is no node named '${name}'.` };
  return null;
}

export function rootSourceProblem(live: LiveState, name: string, field = 'source'): Problem | null {
  const missing = existingNodeProblem(live, name, field);
  if (missing) return missing;
  const above = driverParents(live, name);
  if (above.length === 0) return null;
  const names = above.map((p) => `'${p.node.name}'`).join(', ');
  const top = topmostAbove(live, name);
  const jobFilter = above.some((p) => p.node.name.startsWith('#'));
  return {
    field,
    message:
      `Need a root block node: '${name}' has ${names} above it. ` +
      (jobFilter
        ? 'A job is probably running on this disk already (its filter sits above the node); wait for it to finish.'
        : `Start from '${top}' instead; QEMU then reads through the nodes in between.`),
  };
}

/** What a switch-over (mirror pivot, active commit) will also change, in words. */
export function pivotWarnings(live: LiveState, source: string, replacement: string): string[] {
  const warnings: string[] = [];
  const node = findNode(live, source);
  if (node?.drv === 'throttle') {
    warnings.push(
      `'${source}' is a throttle filter: completing replaces it with '${replacement}' everywhere, so the throttling stops applying.`,
    );
  }
  for (const e of live.exports.filter((x) => x['node-name'] === source)) {
    warnings.push(`Export '${e.id}' moves to '${replacement}' when the job completes.`);
  }
  const users = parentsOf(live, source).filter((p) => p.node.type === 'block-backend');
  if (users.length > 1) {
    warnings.push(`'${source}' has ${users.length} users; all of them switch to '${replacement}'.`);
  }
  return warnings;
}
