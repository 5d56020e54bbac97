// Mirror: copy a root node to a target while the guest keeps writing, until the copy is in sync
// (READY); then Complete switches every user over (pivot). Started with auto-dismiss off so the
// result stays visible (qmp-domain.md §5.1). Any other blockdev-mirror member can be passed in
// `advanced`, from the generated form.
import type { JsonObject } from '../../../qmp/wire.ts';
import { childrenOf, descendants, findNode } from './graph-queries.ts';
import type { LiveState } from './live-state.ts';
import { newNodeNameProblem, jobIdProblem, suggestJobId, suggestNodeName } from './names.ts';
import { pivotWarnings, rootSourceProblem } from './source-checks.ts';
import { newFileCheck, type NewFileInputs } from './new-file.ts';
import { copyJobArgs, pathBesideSource, planTarget, type TargetChoice } from './target-image.ts';
import { planned, refuse, type JobEnd, type PlanResult, type Problem } from './types.ts';

export type MirrorSync = 'full' | 'top' | 'none';
export type CopyMode = 'background' | 'write-blocking';

export interface MirrorInput {
  source: string;
  target: TargetChoice;
  jobId: string;
  sync: MirrorSync;
  /** Bytes per second; 0 or absent is unlimited. */
  speed?: number;
  granularity?: number;
  copyMode?: CopyMode;
  filterNodeName?: string;
  /** Keep the nodes the switch-over leaves unused open; by default they are closed. */
  keepNodes?: boolean;
  advanced?: JsonObject;
}

/** Prefill from the selected node: a new qcow2 next to the source image. */
export function defaultMirrorInput(live: LiveState, source: string): MirrorInput {
  const node = findNode(live, source);
  const nodeName = suggestNodeName(live, `${source}-mirror`);
  return {
    source,
    jobId: suggestJobId(live, 'mirror', source),
    sync: 'full',
    target: {
      kind: 'new-image',
      format: 'qcow2',
      nodeName,
      path: pathBesideSource(node, nodeName),
    },
  };
}

export function granularityProblem(granularity: number | undefined): Problem | null {
  if (granularity === undefined || granularity === 0) return null;
  const power = Math.log2(granularity);
  if (Number.isInteger(power) && power >= 9 && power <= 26) return null;
  return {
    field: 'granularity',
    message: 'Granularity must be a power of two between 512 bytes and 64 MiB.',
  };
}

/** With sync "top" a new image needs the source's backing file as its own backing. */
function withTopBacking(live: LiveState, input: MirrorInput): TargetChoice {
  const t = input.target;
  if (t.kind !== 'new-image' || input.sync !== 'top' || t.backing) return t;
  const backing = childrenOf(live, input.source).get('backing');
  const node = backing ? findNode(live, backing) : undefined;
  if (!backing || !node) return t;
  return {
    ...t,
    backing: { file: node.image.filename ?? node.file, format: node.drv, node: backing },
  };
}

export function planMirror(live: LiveState, input: MirrorInput): PlanResult {
  const target = planTarget(live, input.source, withTopBacking(live, input));
  const problems = [
    rootSourceProblem(live, input.source),
    jobIdProblem(live, input.jobId),
    granularityProblem(input.granularity),
    input.filterNodeName
      ? newNodeNameProblem(live, input.filterNodeName, 'filter-node-name')
      : null,
    ...target.problems,
  ].filter((p): p is Problem => p !== null);
  if (input.speed !== undefined && input.speed < 0) {
    problems.push({ field: 'speed', message: 'Speed cannot be negative.' });
  }
  if (problems.length > 0) return refuse(...problems);

  const args = copyJobArgs(input, target.nodeName);
  if (input.granularity) args.granularity = input.granularity;
  if (input.copyMode) args['copy-mode'] = input.copyMode;
  if (input.filterNodeName) args['filter-node-name'] = input.filterNodeName;
  return planned({
    summary: `Mirror '${input.source}' to '${target.nodeName}' (sync ${input.sync}) as job '${input.jobId}'. The disk stays on '${input.source}' until you complete the job.`,
    steps: [
      ...target.steps,
      {
        title: 'Start the mirror',
        explanation: `Copies '${input.source}' to '${target.nodeName}' and keeps copying new writes; the job becomes ready when both are in sync.`,
        command: 'blockdev-mirror',
        arguments: args,
      },
    ],
    jobIds: [input.jobId],
    warnings: [...target.warnings, ...pivotWarnings(live, input.source, target.nodeName)],
    result: { nodeName: target.nodeName },
    end: mirrorEnd(live, input, target.opened, target.createdFile),
  });
}

/**
 * A mirror ends in one of two ways: Complete switches the disk to the target, leaving the old
 * source unused; a cancel once ready leaves the disk on the source and the target a full copy.
 * Either way what nothing uses afterwards is closed, unless the operator keeps it.
 */
function mirrorEnd(
  live: LiveState,
  input: { source: string; jobId: string; keepNodes?: boolean },
  opened: string[],
  file: string | undefined,
): JobEnd {
  const candidates = input.keepNodes ? [] : [...descendants(live, input.source), ...opened];
  const list = candidates.map((n) => `'${n}'`).join(', ');
  return {
    job: input.jobId,
    dismiss: true,
    explanation: [
      input.keepNodes
        ? 'Every node stays open as you chose; close what you no longer need from its details.'
        : `Once completed (or cancelled when ready), the nodes nothing uses any more are closed: of ${list}.`,
      `If it fails or is cancelled before it is ready, the nodes this plan opened are closed${file ? ` and ${file} is left incomplete on disk` : ''}.`,
    ].join(' '),
    closeUnused: candidates,
    createdFiles: file ? [file] : [],
  };
}

/** With mode absolute-paths, `lookup` and `overwrite` (new-file.ts) say what is at `path`. */
export interface DriveMirrorInput extends NewFileInputs {
  source: string;
  path: string;
  format: 'qcow2' | 'raw';
  /** absolute-paths creates the image; existing opens one the user made. */
  mode: 'absolute-paths' | 'existing';
  nodeName: string;
  jobId: string;
  sync: MirrorSync;
  speed?: number;
  keepNodes?: boolean;
  advanced?: JsonObject;
}

/** The legacy command that creates or opens the target from a path in one go. */
export function planDriveMirror(live: LiveState, input: DriveMirrorInput): PlanResult {
  const problems = [
    rootSourceProblem(live, input.source),
    jobIdProblem(live, input.jobId),
    newNodeNameProblem(live, input.nodeName, 'node-name'),
    input.path.startsWith('/') ? null : { field: 'path', message: 'Give an absolute path.' },
  ].filter((p): p is Problem => p !== null);
  // absolute-paths creates the image, over whatever file is at the path.
  const created =
    input.mode === 'absolute-paths' && input.path.startsWith('/')
      ? newFileCheck(input.path, input, 'path')
      : { problem: null, warning: null };
  if (created.problem) problems.push(created.problem);
  if (problems.length > 0) return refuse(...problems);
  const args: JsonObject = {
    ...input.advanced,
    'job-id': input.jobId,
    device: input.source,
    target: input.path,
    format: input.format,
    mode: input.mode,
    sync: input.sync,
    'node-name': input.nodeName,
    'auto-dismiss': false,
  };
  if (input.speed) args.speed = input.speed;
  return planned({
    summary: `Mirror '${input.source}' to ${input.path} with drive-mirror as job '${input.jobId}'.`,
    steps: [
      {
        title: 'Start drive-mirror',
        explanation:
          input.mode === 'existing'
            ? `Opens ${input.path} as '${input.nodeName}' and mirrors into it.`
            : `Creates ${input.path} (${input.format}) as '${input.nodeName}' and mirrors into it.`,
        command: 'drive-mirror',
        arguments: args,
        ...(input.mode === 'absolute-paths'
          ? {
              createsFile: {
                path: input.path,
                overwriteConfirmed: input.overwrite === input.path,
              },
            }
          : {}),
      },
    ],
    jobIds: [input.jobId],
    warnings: [
      ...(created.warning ? [created.warning] : []),
      ...pivotWarnings(live, input.source, input.nodeName),
    ],
    result: { nodeName: input.nodeName },
    // QEMU opens drive-mirror's target itself and closes it with its last user.
    end: mirrorEnd(live, input, [], input.mode === 'existing' ? undefined : input.path),
  });
}
