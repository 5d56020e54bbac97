// Commit and stream: the two directions of shortening a backing chain.
// Commit writes the layers from `top` down into `base`. An intermediate commit (top below the
// active layer) ends by itself; an active commit becomes READY and needs Complete to switch the
// disk over to the base (qmp-domain.md §5.3). Stream copies the backing data up into a node
// instead, so the layers below it can go.
import type { JsonObject } from '../../../qmp/wire.ts';
import {
  backingChain,
  descendants,
  FILTER_DRIVERS,
  findNode,
  topmostAbove,
} from './graph-queries.ts';
import type { LiveState } from './live-state.ts';
import { jobIdProblem, newNodeNameProblem, suggestJobId } from './names.ts';
import { existingNodeProblem, pivotWarnings, rootSourceProblem } from './source-checks.ts';
import { planned, refuse, type JobEnd, type PlanResult, type Problem } from './types.ts';

export interface CommitInput {
  /** The root of the chain (the active layer, or a filter above it). */
  device: string;
  top: string;
  base: string;
  jobId: string;
  speed?: number;
  filterNodeName?: string;
  /** Keep the layers the commit drops open; by default they are closed once unused. */
  keepNodes?: boolean;
  advanced?: JsonObject;
}

/** The nodes below `from` that are not part of `keep`'s subtree: what a shortened chain drops. */
function droppedNodes(live: LiveState, from: string, keep: string | undefined): string[] {
  const kept = new Set(keep ? descendants(live, keep) : []);
  return descendants(live, from).filter((n) => !kept.has(n));
}

function chainEnd(job: string, dropped: string[], keep: boolean | undefined, what: string): JobEnd {
  const list = dropped.map((n) => `'${n}'`).join(', ');
  return {
    job,
    dismiss: true,
    explanation: keep
      ? `When the ${what} ends, the dropped layers stay open as you chose.`
      : `When the ${what} ends, the nodes it dropped are closed if nothing uses them: of ${list}. A failed or cancelled ${what} changes nothing in the chain.`,
    closeUnused: keep ? [] : dropped,
    createdFiles: [],
  };
}

function isFilter(live: LiveState, name: string): boolean {
  return FILTER_DRIVERS.has(findNode(live, name)?.drv ?? '');
}

/** The image layers (filters left out) of the chain under `device`, top first. */
export function imageLayers(live: LiveState, device: string): string[] {
  return backingChain(live, device).filter((n) => !isFilter(live, n));
}

/** Prefill from the selected layer: commit it into the layer below. */
export function defaultCommitInput(live: LiveState, selected: string): CommitInput {
  const device = topmostAbove(live, selected);
  const layers = imageLayers(live, device);
  const at = Math.max(0, layers.indexOf(selected));
  return {
    device,
    top: layers[at] ?? selected,
    base: layers[at + 1] ?? '',
    jobId: suggestJobId(live, 'commit', layers[at] ?? selected),
  };
}

export function isActiveCommit(live: LiveState, input: CommitInput): boolean {
  return imageLayers(live, input.device)[0] === input.top;
}

function chainProblems(live: LiveState, input: CommitInput): Problem[] {
  const layers = imageLayers(live, input.device);
  const top = layers.indexOf(input.top);
  const base = layers.indexOf(input.base);
  const problems: Problem[] = [];
  if (top < 0) {
    problems.push({
      field: 'top',
      message: `'${input.top}' is not in the backing chain of '${input.device}'.`,
    });
  }
  if (input.base === '') {
    problems.push({
      field: 'base',
      message: `'${input.top}' has no backing image to commit into.`,
    });
  } else if (base < 0) {
    problems.push({
      field: 'base',
      message: `'${input.base}' is not in the backing chain of '${input.device}'.`,
    });
  } else if (top >= 0 && base <= top) {
    problems.push({
      field: 'base',
      message: `The base '${input.base}' must lie below the top '${input.top}' in the chain.`,
    });
  }
  return problems;
}

export function planCommit(live: LiveState, input: CommitInput): PlanResult {
  const problems = [
    rootSourceProblem(live, input.device, 'device'),
    jobIdProblem(live, input.jobId),
    input.filterNodeName
      ? newNodeNameProblem(live, input.filterNodeName, 'filter-node-name')
      : null,
  ].filter((p): p is Problem => p !== null);
  if (problems.length === 0) problems.push(...chainProblems(live, input));
  if (problems.length > 0) return refuse(...problems);

  const active = isActiveCommit(live, input);
  const layers = imageLayers(live, input.device);
  const dropped = layers.slice(layers.indexOf(input.top), layers.indexOf(input.base));
  const args: JsonObject = {
    ...input.advanced,
    'job-id': input.jobId,
    device: input.device,
    'top-node': input.top,
    'base-node': input.base,
    'auto-finalize': true,
    'auto-dismiss': false,
  };
  if (input.speed) args.speed = input.speed;
  if (input.filterNodeName) args['filter-node-name'] = input.filterNodeName;
  return planned({
    summary: active
      ? `Active commit of '${input.top}' into '${input.base}' as job '${input.jobId}'. When it is ready, Complete switches the disk to '${input.base}' and drops ${dropped.map((d) => `'${d}'`).join(', ')}.`
      : `Commit ${dropped.map((d) => `'${d}'`).join(', ')} into '${input.base}' as job '${input.jobId}'; the layer above then backs onto '${input.base}' directly.`,
    steps: [
      {
        title: active ? 'Start the active commit' : 'Start the commit',
        explanation: active
          ? 'Copies the active layer into the base while the guest keeps writing; the job becomes ready when they are in sync.'
          : 'Writes the data of the chosen layers into the base; the job finishes by itself.',
        command: 'block-commit',
        arguments: args,
      },
    ],
    jobIds: [input.jobId],
    warnings: active ? pivotWarnings(live, input.top, input.base) : [],
    end: chainEnd(
      input.jobId,
      droppedNodes(live, input.top, input.base),
      input.keepNodes,
      'commit',
    ),
  });
}

export interface StreamInput {
  /** The node that receives the data (usually the active layer). */
  device: string;
  /** Stream down to (not including) this node; absent streams the whole chain. */
  base?: string;
  jobId: string;
  speed?: number;
  keepNodes?: boolean;
  advanced?: JsonObject;
}

export function defaultStreamInput(live: LiveState, selected: string): StreamInput {
  return { device: selected, jobId: suggestJobId(live, 'stream', selected) };
}

export function planStream(live: LiveState, input: StreamInput): PlanResult {
  const problems = [
    existingNodeProblem(live, input.device, 'device'),
    jobIdProblem(live, input.jobId),
  ].filter((p): p is Problem => p !== null);
  const layers = problems.length === 0 ? imageLayers(live, input.device) : [];
  if (problems.length === 0 && layers.length < 2) {
    problems.push({
      field: 'device',
      message: `'${input.device}' has no backing image to stream from.`,
    });
  }
  if (input.base !== undefined && problems.length === 0 && layers.indexOf(input.base) < 1) {
    problems.push({
      field: 'base',
      message: `'${input.base}' is not below '${input.device}' in its chain.`,
    });
  }
  if (problems.length > 0) return refuse(...problems);
  const args: JsonObject = {
    ...input.advanced,
    'job-id': input.jobId,
    device: input.device,
    'auto-finalize': true,
    // Not false like the other jobs: QEMU 7.2 hangs and dies on query-named-block-nodes while a
    // concluded stream job waits for dismissal (hardening-compat.test.ts). The final status still
    // reaches the jobs panel through JOB_STATUS_CHANGE and BLOCK_JOB_COMPLETED.
    'auto-dismiss': true,
  };
  if (input.base) args['base-node'] = input.base;
  if (input.speed) args.speed = input.speed;
  const copied = layers.slice(1, input.base ? layers.indexOf(input.base) : undefined);
  return planned({
    summary: `Stream ${copied.map((c) => `'${c}'`).join(', ')} up into '${input.device}' as job '${input.jobId}'; afterwards '${input.device}' ${input.base ? `backs onto '${input.base}'` : 'stands alone'}.`,
    steps: [
      {
        title: 'Start the stream',
        explanation:
          'Copies data from the backing layers into the node; the job finishes by itself.',
        command: 'block-stream',
        arguments: args,
      },
    ],
    jobIds: [input.jobId],
    end: {
      ...chainEnd(
        input.jobId,
        droppedNodes(live, layers[1] ?? input.device, input.base),
        input.keepNodes,
        'stream',
      ),
      // auto-dismiss is on (above): the job vanishes when it ends, so the chain tells.
      dismiss: false,
      succeeded: (after) =>
        copied[0] === undefined || !backingChain(after, input.device).includes(copied[0]),
    },
  });
}
