// Throttle groups: a `throttle-group` object holds limits shared by every throttle filter node
// that names it; works on qemu-system and qemu-storage-daemon alike. Limits change live with
// qom-set, for all members at once.
import { childrenOf, findNode, throttleGroupOf } from './graph-queries.ts';
import type { LiveState } from './live-state.ts';
import { newNodeNameProblem, suggestNodeName, uniqueName } from './names.ts';
import { existingNodeProblem } from './source-checks.ts';
import {
  describeLimits,
  limitProblems,
  setLimits,
  toGroupLimits,
  type ThrottleLimits,
} from './throttle-limits.ts';
import { placeBetween } from './throttle-placement.ts';
import { planned, refuse, type PlanResult, type Problem } from './types.ts';

const OBJECT_ID = /^[A-Za-z][A-Za-z0-9._-]*$/;

export function groupMembers(live: LiveState, group: string): string[] {
  return live.nodes
    .filter((n) => throttleGroupOf(n) === group)
    .map((n) => n['node-name'])
    .sort();
}

export function suggestGroupId(live: LiveState): string {
  return uniqueName('tg', (id) => live.throttleGroups.some((g) => g.id === id));
}

/** "limited to 20 MiB/s total", or "with no limits yet" (an empty group limits nothing). */
function groupLimitsText(limits: ThrottleLimits): string {
  const text = describeLimits(limits);
  return text === 'unlimited' ? 'with no limits yet' : `limited to ${text}`;
}

export function planGroupCreate(live: LiveState, id: string, limits: ThrottleLimits): PlanResult {
  const problems: Problem[] = limitProblems(limits);
  if (!OBJECT_ID.test(id)) {
    problems.push({
      field: 'id',
      message: `Invalid group id '${id}': start with a letter; letters, digits, '-', '.', '_'.`,
    });
  } else if (live.throttleGroups.some((g) => g.id === id)) {
    problems.push({ field: 'id', message: `A throttle group '${id}' already exists.` });
  }
  if (problems.length > 0) return refuse(...problems);
  return planned({
    summary: `Create throttle group '${id}', ${groupLimitsText(limits)}.`,
    steps: [
      {
        title: 'Create the group',
        explanation: 'Disks attached to the group share these limits.',
        command: 'object-add',
        arguments: {
          'qom-type': 'throttle-group',
          id,
          limits: setLimits(limits) as Record<string, number>,
        },
        undo: { command: 'object-del', arguments: { id } },
      },
    ],
    jobIds: [],
  });
}

export function planGroupEdit(live: LiveState, id: string, limits: ThrottleLimits): PlanResult {
  if (!live.throttleGroups.some((g) => g.id === id)) {
    return refuse({ field: 'id', message: `There is no throttle group '${id}'.` });
  }
  const problems = limitProblems(limits);
  if (problems.length > 0) return refuse(...problems);
  const members = groupMembers(live, id);
  return planned({
    summary: `Change group '${id}' to ${describeLimits(limits)}${members.length ? `, for ${members.join(', ')}` : ''}.`,
    steps: [
      {
        title: 'Set the group limits',
        explanation:
          'Every limit is stated (0 clears one): QEMU merges a partial update into the old limits.',
        command: 'qom-set',
        arguments: { path: `/objects/${id}`, property: 'limits', value: toGroupLimits(limits) },
      },
    ],
    jobIds: [],
  });
}

export interface AttachInput {
  group: string;
  node: string;
  filterNodeName: string;
}

export function defaultAttachInput(live: LiveState, node: string, group: string): AttachInput {
  return { group, node, filterNodeName: suggestNodeName(live, `${node}-throttle`) };
}

export function planGroupAttach(live: LiveState, input: AttachInput): PlanResult {
  const problems = [
    existingNodeProblem(live, input.node, 'node'),
    newNodeNameProblem(live, input.filterNodeName, 'filter-node-name'),
    live.throttleGroups.some((g) => g.id === input.group)
      ? null
      : { field: 'group', message: `There is no throttle group '${input.group}'.` },
  ].filter((p): p is Problem => p !== null);
  if (problems.length > 0) return refuse(...problems);
  const place = placeBetween(live, input.node);
  if (!place.ok) return refuse({ field: 'node', message: place.message });
  const node = findNode(live, input.node);
  return planned({
    summary: `Throttle '${input.node}' through group '${input.group}' with a filter node '${input.filterNodeName}' ${place.where}.`,
    steps: [
      {
        title: 'Add the throttle filter',
        explanation: `A filter node '${input.filterNodeName}' over '${input.node}' applies the group's limits.`,
        command: 'blockdev-add',
        arguments: {
          driver: 'throttle',
          'node-name': input.filterNodeName,
          'throttle-group': input.group,
          file: input.node,
          ...(node?.ro ? { 'read-only': true } : {}),
        },
        undo: { command: 'blockdev-del', arguments: { 'node-name': input.filterNodeName } },
      },
      ...place.steps(input.filterNodeName),
    ],
    jobIds: [],
    result: { nodeName: input.filterNodeName },
    warnings: place.where.startsWith('with nothing')
      ? [
          `Nothing uses '${input.node}' yet: export or attach '${input.filterNodeName}' to make the limits apply.`,
        ]
      : [],
  });
}

export function planGroupDetach(live: LiveState, filter: string): PlanResult {
  const node = findNode(live, filter);
  if (!node || node.drv !== 'throttle') {
    return refuse({ field: 'node', message: `'${filter}' is not a throttle filter node.` });
  }
  const child = childrenOf(live, filter).get('file');
  if (!child)
    return refuse({ field: 'node', message: `'${filter}' has no child to fall back to.` });
  const place = placeBetween(live, filter);
  if (!place.ok) return refuse({ field: 'node', message: place.message });
  return planned({
    summary: `Remove throttle filter '${filter}'; its users go straight to '${child}' again.`,
    steps: [
      ...place.steps(child),
      {
        title: `Delete '${filter}'`,
        explanation: 'The filter node is no longer used and is deleted.',
        command: 'blockdev-del',
        arguments: { 'node-name': filter },
      },
    ],
    jobIds: [],
  });
}

export function planGroupDelete(live: LiveState, id: string): PlanResult {
  if (!live.throttleGroups.some((g) => g.id === id)) {
    return refuse({ field: 'id', message: `There is no throttle group '${id}'.` });
  }
  const members = groupMembers(live, id);
  if (members.length > 0) {
    return refuse({
      field: 'id',
      message: `Group '${id}' is still used by ${members.map((m) => `'${m}'`).join(', ')}; detach them first.`,
    });
  }
  return planned({
    summary: `Delete throttle group '${id}'.`,
    steps: [
      {
        title: 'Delete the group',
        explanation: 'No filter uses the group any more.',
        command: 'object-del',
        arguments: { id },
      },
    ],
    jobIds: [],
  });
}
