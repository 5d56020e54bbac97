// The target of a mirror or backup: a new image made over QMP (blockdev-create jobs, as
// qmp-domain.md §5.6), an existing image file opened with blockdev-add, or a node already open.
// Targets must have the source's virtual size, so a new image takes it from the source.
import type { PathLookup } from '../../../qmp/file-lookup.ts';
import type { JsonObject } from '../../../qmp/wire.ts';
import { findNode, openFilenames } from './graph-queries.ts';
import type { LiveState, NamedNode } from './live-state.ts';
import {
  newNodeNameProblem,
  pathProblem,
  suggestJobId,
  suggestNodeName,
  uniqueName,
} from './names.ts';
import { newFileCheck, type NewFileInputs } from './new-file.ts';
import type { PlanStep, Problem } from './types.ts';
import { formatBytes } from '../../../schema/units.ts';

export type ImageFormat = 'qcow2' | 'raw';

export type TargetChoice =
  | ({
      kind: 'new-image';
      path: string;
      format: ImageFormat;
      nodeName: string;
      /** qcow2 only: the backing file written into the new image; `node` also opens it. */
      backing?: { file: string; format: string; node?: string };
    } & NewFileInputs)
  | { kind: 'existing-file'; path: string; format: ImageFormat; nodeName: string }
  | { kind: 'node'; nodeName: string };

export interface TargetPlan {
  problems: Problem[];
  steps: PlanStep[];
  nodeName: string;
  /** Nodes the steps open, parents first: what to close when the target is done with. */
  opened: string[];
  /** The file the steps create, if they create one. */
  createdFile?: string;
  /** For the plan's warnings (a confirmed overwrite). */
  warnings: string[];
}

function pathInUse(live: LiveState, path: string, field: string): Problem | null {
  const holder = openFilenames(live).get(path);
  if (!holder) return null;
  return {
    field,
    message: `'${path}' is already open in QEMU as node '${holder}', which holds its lock; choose another file.`,
  };
}

/** blockdev-create runs as a job that stops at `concluded`; dismiss it once it succeeded. */
function createSteps(
  jobId: string,
  options: JsonObject,
  what: string,
  createsFile?: PlanStep['createsFile'],
): PlanStep[] {
  return [
    {
      title: `Create ${what}`,
      explanation: `QEMU creates ${what} in a background job '${jobId}' and the plan waits for it.`,
      command: 'blockdev-create',
      arguments: { 'job-id': jobId, options },
      waitFor: { job: jobId, until: ['concluded'], dismissWhenFailed: true },
      ...(createsFile ? { createsFile } : {}),
    },
    {
      title: `Dismiss job ${jobId}`,
      explanation: 'The creation job has finished; dismissing removes it from the job list.',
      command: 'job-dismiss',
      arguments: { id: jobId },
    },
  ];
}

function addStep(title: string, explanation: string, args: JsonObject): PlanStep {
  return {
    title,
    explanation,
    command: 'blockdev-add',
    arguments: args,
    undo: { command: 'blockdev-del', arguments: { 'node-name': String(args['node-name']) } },
  };
}

/** The target with what the proxy found at its path; only a new image is created there. */
export function withPathLookup(target: TargetChoice, lookup: PathLookup | undefined): TargetChoice {
  return target.kind === 'new-image' ? { ...target, lookup } : target;
}

/** A new image's default path: `NAME.qcow2` in the source image's directory. */
export function pathBesideSource(node: NamedNode | undefined, name: string): string {
  const path = node?.image.filename ?? node?.file ?? '';
  const slash = path.lastIndexOf('/');
  return `${slash > 0 ? path.slice(0, slash) : '/tmp'}/${name}.qcow2`;
}

/**
 * The arguments a copy job (blockdev-mirror, blockdev-backup) starts with: the user's advanced
 * members first, then the guided choices. `auto-dismiss: false` keeps the finished job listed so
 * its outcome can be shown before it is dismissed.
 */
export function copyJobArgs(
  input: { advanced?: JsonObject; jobId: string; source: string; sync: string; speed?: number },
  targetNode: string,
): JsonObject {
  const args: JsonObject = {
    ...input.advanced,
    'job-id': input.jobId,
    device: input.source,
    target: targetNode,
    sync: input.sync,
    'auto-finalize': true,
    'auto-dismiss': false,
  };
  if (input.speed) args.speed = input.speed;
  return args;
}

export function planTarget(live: LiveState, source: string, choice: TargetChoice): TargetPlan {
  const field = 'target';
  if (choice.kind === 'node') {
    const problems: Problem[] = [];
    if (!findNode(live, choice.nodeName)) {
      problems.push({ field, message: `There is no node named '${choice.nodeName}'.` });
    } else if (choice.nodeName === source) {
      problems.push({ field, message: 'The target must be another node than the source.' });
    }
    return { problems, steps: [], nodeName: choice.nodeName, opened: [], warnings: [] };
  }

  const fileNode = suggestNodeName(live, `${choice.nodeName}-file`, [choice.nodeName]);
  const problems = [
    pathProblem(choice.path, 'path'),
    pathInUse(live, choice.path, 'path'),
    newNodeNameProblem(live, choice.nodeName, 'node-name'),
  ].filter((p): p is Problem => p !== null);
  const steps: PlanStep[] = [];

  if (choice.kind === 'existing-file') {
    steps.push(
      addStep(
        `Open ${choice.path}`,
        `Opens the existing image as node '${choice.nodeName}' (${choice.format}); QEMU refuses if another process holds its lock.`,
        {
          driver: choice.format,
          'node-name': choice.nodeName,
          file: { driver: 'file', filename: choice.path },
          // A target is written from the source, so it needs no backing; saying so keeps QEMU from
          // opening whatever file the image's header names (and Blockscope's proxy requires it).
          ...(choice.format === 'raw' ? {} : { backing: null }),
        },
      ),
    );
    return {
      problems,
      steps,
      nodeName: choice.nodeName,
      opened: [choice.nodeName],
      warnings: [],
    };
  }

  // Only a path that is acceptable so far is looked at (the look-up answers absolute paths).
  const created = problems.some((p) => p.field === 'path')
    ? { problem: null, warning: null }
    : newFileCheck(choice.path, choice, 'path');
  if (created.problem) problems.push(created.problem);
  const sourceNode = findNode(live, source);
  const size = sourceNode?.image['virtual-size'] ?? 0;
  const fileJob = suggestJobId(live, 'create', fileNode);
  const formatJob = uniqueName(
    `create-${choice.nodeName}`,
    (id) => id === fileJob || live.jobs.some((j) => j.id === id),
  );
  const raw = choice.format === 'raw';
  steps.push(
    ...createSteps(
      fileJob,
      { driver: 'file', filename: choice.path, size: raw ? size : 0 },
      `the file ${choice.path}`,
      { path: choice.path, overwriteConfirmed: choice.overwrite === choice.path },
    ),
    addStep(`Open ${choice.path}`, `Opens the new file as protocol node '${fileNode}'.`, {
      driver: 'file',
      'node-name': fileNode,
      filename: choice.path,
    }),
  );
  if (!raw) {
    const options: JsonObject = { driver: 'qcow2', file: fileNode, size };
    if (choice.backing) {
      options['backing-file'] = choice.backing.file;
      options['backing-fmt'] = choice.backing.format;
    }
    steps.push(
      ...createSteps(formatJob, options, `a ${formatBytes(size)} qcow2 image (the source's size)`),
    );
  }
  steps.push(
    addStep(
      `Open the new ${choice.format} image`,
      `Opens the image as node '${choice.nodeName}', ready to be written.`,
      {
        driver: choice.format,
        'node-name': choice.nodeName,
        file: fileNode,
        // backing: null keeps QEMU from opening the backing file itself (and taking its lock)
        ...(raw ? {} : { backing: choice.backing?.node ?? null }),
      },
    ),
  );
  return {
    problems,
    steps,
    nodeName: choice.nodeName,
    opened: [choice.nodeName, fileNode],
    createdFile: choice.path,
    warnings: created.warning ? [created.warning] : [],
  };
}
