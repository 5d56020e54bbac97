// Dirty bitmaps on a node: they record which clusters changed, for incremental backups and for
// exports that publish changed blocks. Add, enable, disable, clear, merge, remove.
import { bitmapOrigin, findBackupRecord, type BitmapOrigin } from '../../../api/bitmap-origin.ts';
import type { JsonObject } from '../../../qmp/wire.ts';
import { findNode } from './graph-queries.ts';
import type { DirtyBitmap, LiveState } from './live-state.ts';
import { nodeNameProblem } from './names.ts';
import { planned, refuse, type PlanResult, type Problem } from './types.ts';

export function bitmapsOf(live: LiveState, node: string): DirtyBitmap[] {
  return findNode(live, node)?.['dirty-bitmaps'] ?? [];
}

export function findBitmap(live: LiveState, node: string, name: string): DirtyBitmap | undefined {
  return bitmapsOf(live, node).find((b) => b.name === name);
}

/**
 * What the proxy's ledger says about a bitmap. A command may have named the node by its
 * BlockBackend (drive id or qdev) rather than its node-name, so those names count too.
 */
export function bitmapOriginOf(live: LiveState, node: string, name: string): BitmapOrigin {
  const names = [node];
  for (const block of live.blocks) {
    if (block.inserted?.['node-name'] !== node) continue;
    if (block.device) names.push(block.device);
    if (block.qdev) names.push(block.qdev);
  }
  return bitmapOrigin(findBackupRecord(live.backups, names, name));
}

export function existingBitmapProblem(
  live: LiveState,
  node: string,
  name: string,
  field = 'bitmap',
): Problem | null {
  if (name === '') return { field, message: 'Choose a bitmap.' };
  const bitmap = findBitmap(live, node, name);
  if (!bitmap) return { field, message: `Node '${node}' has no bitmap named '${name}'.` };
  if (bitmap.busy) {
    return {
      field,
      message: `Bitmap '${name}' is in use by a running job; wait for it to finish.`,
    };
  }
  return null;
}

export interface NewBitmap {
  name: string;
  granularity?: number;
  persistent?: boolean;
  disabled?: boolean;
}

export function newBitmapProblems(live: LiveState, node: string, bitmap: NewBitmap): Problem[] {
  const problems: Problem[] = [];
  const target = findNode(live, node);
  if (!target) return [{ field: 'node', message: `There is no node named '${node}'.` }];
  // Bitmap names are free text in QEMU, but the node-name rule keeps them safe to show and type.
  const bad = nodeNameProblem(bitmap.name, 'bitmap');
  if (bad)
    problems.push({ field: 'bitmap', message: bad.message.replace('node name', 'bitmap name') });
  if (findBitmap(live, node, bitmap.name)) {
    problems.push({
      field: 'bitmap',
      message: `Bitmap '${bitmap.name}' already exists on '${node}'.`,
    });
  }
  const g = bitmap.granularity;
  if (g !== undefined && g !== 0 && !(Number.isInteger(Math.log2(g)) && g >= 512)) {
    problems.push({
      field: 'granularity',
      message: 'Granularity must be a power of two, at least 512 bytes.',
    });
  }
  if (bitmap.persistent && target.drv !== 'qcow2') {
    problems.push({
      field: 'persistent',
      message: `Only qcow2 nodes can store a bitmap persistently; '${node}' is ${target.drv}.`,
    });
  }
  return problems;
}

/** The `block-dirty-bitmap-add` arguments, also used as a transaction action. */
export function bitmapAddArgs(node: string, bitmap: NewBitmap): JsonObject {
  const args: JsonObject = { node, name: bitmap.name };
  if (bitmap.granularity) args.granularity = bitmap.granularity;
  if (bitmap.persistent) args.persistent = true;
  if (bitmap.disabled) args.disabled = true;
  return args;
}

export function planBitmapAdd(live: LiveState, node: string, bitmap: NewBitmap): PlanResult {
  const problems = newBitmapProblems(live, node, bitmap);
  if (problems.length > 0) return refuse(...problems);
  return planned({
    summary: `Add bitmap '${bitmap.name}' to '${node}'${bitmap.disabled ? ' (not recording)' : '; it records every write from now on'}.`,
    steps: [
      {
        title: 'Add the bitmap',
        explanation: bitmap.persistent
          ? 'The bitmap is stored in the qcow2 image when it is closed.'
          : 'The bitmap lives in memory only and is lost when QEMU stops.',
        command: 'block-dirty-bitmap-add',
        arguments: bitmapAddArgs(node, bitmap),
      },
    ],
    jobIds: [],
  });
}

type SimpleVerb = 'enable' | 'disable' | 'clear' | 'remove';

const VERB_TEXT: Record<SimpleVerb, string> = {
  enable: 'starts recording writes again',
  disable: 'stops recording; what it holds is kept',
  clear: 'forgets every recorded change',
  remove: 'deletes the bitmap',
};

export function planBitmapVerb(
  live: LiveState,
  node: string,
  name: string,
  verb: SimpleVerb,
): PlanResult {
  const problem = existingBitmapProblem(live, node, name);
  if (problem) return refuse(problem);
  return planned({
    summary: `Bitmap '${name}' on '${node}' ${VERB_TEXT[verb]}.`,
    steps: [
      {
        title: `${verb[0]?.toUpperCase()}${verb.slice(1)} bitmap '${name}'`,
        explanation: `The bitmap ${VERB_TEXT[verb]}.`,
        command: `block-dirty-bitmap-${verb}`,
        arguments: { node, name },
      },
    ],
    jobIds: [],
  });
}

/** Merge `sources` into `target` (all on `node`): the target then covers their changes too. */
export function planBitmapMerge(
  live: LiveState,
  node: string,
  target: string,
  sources: string[],
): PlanResult {
  const problems = [
    existingBitmapProblem(live, node, target, 'target'),
    ...sources.map((s) => existingBitmapProblem(live, node, s, 'bitmaps')),
  ].filter((p): p is Problem => p !== null);
  if (sources.length === 0)
    problems.push({ field: 'bitmaps', message: 'Choose bitmaps to merge.' });
  if (sources.includes(target)) {
    problems.push({ field: 'bitmaps', message: 'A bitmap cannot be merged into itself.' });
  }
  if (problems.length > 0) return refuse(...problems);
  return planned({
    summary: `Merge ${sources.map((s) => `'${s}'`).join(', ')} into '${target}' on '${node}'.`,
    steps: [
      {
        title: 'Merge bitmaps',
        explanation: `'${target}' afterwards marks every cluster any of them marked.`,
        command: 'block-dirty-bitmap-merge',
        arguments: { node, target, bitmaps: sources },
      },
    ],
    jobIds: [],
  });
}
