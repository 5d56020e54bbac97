// Backup: a point-in-time copy of a root node. Full or top copies everything (or the top layer);
// incremental copies only what a dirty bitmap recorded since the last backup. Starting a bitmap
// together with a full backup must be one `transaction`, or writes between the two are lost
// from the next incremental (docs/interop/bitmaps.rst; qmp-domain.md §5.2). An incremental
// continues a chain: the proxy's backup ledger (LiveState.backups) says whether the bitmap's full
// backup completed, and which image the new one should have as its backing file.
import { previousBackupImage } from '../../../api/bitmap-origin.ts';
import type { JsonObject } from '../../../qmp/wire.ts';
import {
  bitmapAddArgs,
  bitmapOriginOf,
  bitmapsOf,
  existingBitmapProblem,
  newBitmapProblems,
  type NewBitmap,
} from './bitmaps.ts';
import { findNode } from './graph-queries.ts';
import type { LiveState } from './live-state.ts';
import { jobIdProblem, suggestJobId, suggestNodeName, uniqueName } from './names.ts';
import { rootSourceProblem } from './source-checks.ts';
import { copyJobArgs, pathBesideSource, planTarget, type TargetChoice } from './target-image.ts';
import { planned, refuse, type PlanResult, type PlanStep, type Problem } from './types.ts';

export type BackupSync = 'full' | 'top' | 'incremental' | 'bitmap';
export type BitmapMode = 'on-success' | 'always' | 'never';

export interface BackupInput {
  source: string;
  target: TargetChoice;
  jobId: string;
  sync: BackupSync;
  speed?: number;
  /** The bitmap that says what to copy (incremental and bitmap syncs). */
  bitmap?: string;
  bitmapMode?: BitmapMode;
  /** Full or top only: start recording this bitmap atomically with the backup. */
  newBitmap?: NewBitmap;
  /** Keep the target open after the backup (e.g. to export it); by default it is closed. */
  keepTarget?: boolean;
  advanced?: JsonObject;
}

export function defaultBackupInput(live: LiveState, source: string): BackupInput {
  const node = findNode(live, source);
  const nodeName = suggestNodeName(live, `${source}-backup`);
  const bitmaps = node?.['dirty-bitmaps'] ?? [];
  // A new bitmap unless one can carry a chain on (bitmaps whose full backup failed cannot).
  const usable = bitmaps.some((b) => bitmapOriginOf(live, source, b.name).kind !== 'untrusted');
  const newBitmap = uniqueName(
    `${source}-changes`,
    (name) => bitmaps.some((b) => b.name === name),
    31,
  );
  return {
    source,
    jobId: suggestJobId(live, 'backup', source),
    sync: 'full',
    target: {
      kind: 'new-image',
      format: 'qcow2',
      nodeName,
      path: pathBesideSource(node, nodeName),
    },
    ...(usable ? {} : { newBitmap: { name: newBitmap } }),
  };
}

/** Why `bitmap` cannot be the base of an incremental now, from the proxy's ledger. */
function chainProblem(live: LiveState, source: string, bitmap: string): Problem | null {
  const origin = bitmapOriginOf(live, source, bitmap);
  if (origin.kind === 'untrusted') {
    return {
      field: 'bitmap',
      message: `Bitmap '${bitmap}' cannot be the base of an incremental backup: ${origin.reason}. Remove it and start a new full backup with a new bitmap.`,
    };
  }
  if (origin.kind === 'waiting') {
    return {
      field: 'bitmap',
      message: `Bitmap '${bitmap}' cannot be the base of an incremental backup yet: ${origin.reason}. Wait until '${origin.record.full.job}' completes.`,
    };
  }
  return null;
}

/** The bitmap an incremental from `source` should start from: one with a record first. */
export function suggestBitmap(live: LiveState, source: string): string | undefined {
  const usable = bitmapsOf(live, source)
    .map((b) => ({ name: b.name, kind: bitmapOriginOf(live, source, b.name).kind }))
    .filter((b) => b.kind === 'trusted' || b.kind === 'unknown');
  return (usable.find((b) => b.kind === 'trusted') ?? usable[0])?.name;
}

/**
 * `input` with `bitmap` as the incremental's bitmap (or none). A new qcow2 image then gets the
 * previous backup's image as its backing file, as the ledger knows it, so the new image reads
 * complete; a backing file the operator typed is kept, and one this prefilled goes when the
 * bitmap changes or is no longer used.
 */
export function withBitmap(
  live: LiveState,
  input: BackupInput,
  bitmap: string | undefined,
): BackupInput {
  const { target } = input;
  const next = { ...input, bitmap };
  if (target.kind !== 'new-image' || target.format !== 'qcow2') return next;
  const before = input.bitmap
    ? previousBackupImage(bitmapOriginOf(live, input.source, input.bitmap))
    : null;
  const typed = target.backing?.file;
  if (typed && typed !== before?.file) return next;
  const image = bitmap ? previousBackupImage(bitmapOriginOf(live, input.source, bitmap)) : null;
  const { backing: _prefilled, ...rest } = target;
  return { ...next, target: image ? { ...rest, backing: image } : rest };
}

function inputProblems(live: LiveState, input: BackupInput): Problem[] {
  const problems: (Problem | null)[] = [
    rootSourceProblem(live, input.source),
    jobIdProblem(live, input.jobId),
  ];
  const usesBitmap = input.sync === 'incremental' || input.sync === 'bitmap';
  if (usesBitmap) {
    problems.push(
      input.bitmap
        ? (existingBitmapProblem(live, input.source, input.bitmap) ??
            chainProblem(live, input.source, input.bitmap))
        : {
            field: 'bitmap',
            message: `A ${input.sync} backup copies what a bitmap recorded: choose the bitmap.`,
          },
    );
    if (input.sync === 'bitmap' && !input.bitmapMode) {
      problems.push({
        field: 'bitmap-mode',
        message: 'Choose when the bitmap is cleared (bitmap mode).',
      });
    }
    if (input.newBitmap) {
      problems.push({
        field: 'newBitmap',
        message: 'Start a new bitmap with a full or top backup, not with an incremental one.',
      });
    }
  }
  if (input.newBitmap && findNode(live, input.source)) {
    problems.push(...newBitmapProblems(live, input.source, input.newBitmap));
  }
  return problems.filter((p): p is Problem => p !== null);
}

export function planBackup(live: LiveState, input: BackupInput): PlanResult {
  const target = planTarget(live, input.source, input.target);
  const problems = [...inputProblems(live, input), ...target.problems];
  if (problems.length > 0) return refuse(...problems);

  const backup = copyJobArgs(input, target.nodeName);
  if (input.bitmap) backup.bitmap = input.bitmap;
  if (input.bitmapMode) backup['bitmap-mode'] = input.bitmapMode;

  const start: PlanStep = input.newBitmap
    ? {
        title: `Start recording '${input.newBitmap.name}' and back up, atomically`,
        explanation: `One transaction adds bitmap '${input.newBitmap.name}' and starts the backup at the same instant, so the next incremental backup holds exactly the writes after this one.`,
        command: 'transaction',
        arguments: {
          actions: [
            { type: 'block-dirty-bitmap-add', data: bitmapAddArgs(input.source, input.newBitmap) },
            { type: 'blockdev-backup', data: backup },
          ],
        },
        // A bitmap whose full backup did not complete must not be the base of an incremental.
        undo: {
          command: 'block-dirty-bitmap-remove',
          arguments: { node: input.source, name: input.newBitmap.name },
        },
      }
    : {
        title: 'Start the backup',
        explanation:
          input.sync === 'incremental'
            ? `Copies the clusters bitmap '${input.bitmap}' marked; the bitmap is cleared when the backup succeeds.`
            : `Copies '${input.source}' as it is at this instant (${input.sync}); writes after it are not in the backup.`,
        command: 'blockdev-backup',
        arguments: backup,
      };
  const close = input.keepTarget ? [] : target.opened;
  return planned({
    summary: `Back up '${input.source}' to '${target.nodeName}' (${input.sync}) as job '${input.jobId}'.`,
    steps: [...target.steps, start],
    jobIds: [input.jobId],
    warnings: target.warnings,
    result: { nodeName: target.nodeName },
    end: {
      job: input.jobId,
      dismiss: true,
      explanation: backupEnd(input, target.nodeName, close, target.createdFile),
      closeUnused: close,
      createdFiles: target.createdFile ? [target.createdFile] : [],
    },
  });
}

function backupEnd(
  input: BackupInput,
  targetNode: string,
  close: string[],
  file: string | undefined,
): string {
  const names = close.map((n) => `'${n}'`).join(' and ');
  const success =
    close.length > 0
      ? `When the backup completes, ${names} are closed: the file is flushed, consistent and unlocked.`
      : `When the backup completes, '${targetNode}' stays open${input.keepTarget ? ' as you chose' : ' (it was open before)'}; its file is consistent on disk only once it is closed.`;
  const undo = [
    input.newBitmap ? `bitmap '${input.newBitmap.name}' is removed` : '',
    close.length > 0 || input.keepTarget ? 'the nodes this plan opened are closed' : '',
  ].filter(Boolean);
  const failure = `If it fails or is cancelled, ${undo.length > 0 ? `${undo.join(' and ')}, and ` : ''}${file ? `${file} is left incomplete on disk` : 'the target holds an incomplete copy'}.`;
  return `${success} ${failure}`;
}
