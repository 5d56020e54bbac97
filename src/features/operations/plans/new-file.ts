// A step that creates a file at a path (blockdev-create of a `file` node, drive-mirror and
// blockdev-snapshot-sync with mode absolute-paths) replaces whatever file is there. QEMU does not
// ask, so a plan runs such a step only on a path the proxy has looked at (GET
// /api/targets/NAME/file): nothing there, or a regular file the operator confirmed overwriting by
// its exact path. A directory or anything else that is not a regular file refuses the plan.
import type { FileAtPath, PathLookup } from '../../../qmp/file-lookup.ts';
import { formatBytes } from '../../../schema/units.ts';
import type { Problem } from './types.ts';

/** What a plan input that creates a file carries beside its path. */
export interface NewFileInputs {
  /** The look-up's answer; absent, or about another path, while the answer is on its way. */
  lookup?: PathLookup;
  /** The path the operator confirmed overwriting; it counts only while it is the path given. */
  overwrite?: string;
}

export interface NewFileCheck {
  problem: Problem | null;
  /** For the plan's warnings: the overwrite the operator confirmed. */
  warning: string | null;
}

/** What exists at a path, in a few words: "qcow2, 256 MiB image, 300 MiB file". */
export function describeFile(file: Extract<FileAtPath, { exists: true }>): string {
  if (file.type === 'directory') return 'a directory';
  if (file.type === 'other') return 'not a regular file: a device, socket, pipe or link to nothing';
  const parts = [file.format === 'unknown' ? 'format unknown' : file.format];
  if (file.virtualSize !== undefined) parts.push(`${formatBytes(file.virtualSize)} image`);
  parts.push(`${formatBytes(file.size)} file`);
  return parts.join(', ');
}

/** Whether the plan may create a file at `path`, given what the look-up said and the choice. */
export function newFileCheck(path: string, inputs: NewFileInputs, field: string): NewFileCheck {
  const refused = (message: string): NewFileCheck => ({
    problem: { field, message },
    warning: null,
  });
  const { lookup } = inputs;
  if (!lookup || lookup.path !== path) {
    return {
      problem: { field, message: `Checking whether ${path} exists…`, pending: true },
      warning: null,
    };
  }
  if ('error' in lookup) {
    return refused(`Could not check whether ${path} exists: ${lookup.error}`);
  }
  if (!lookup.exists) return { problem: null, warning: null };
  if (lookup.type === 'directory') {
    return refused(`${path} is a directory; give the path of a new image file.`);
  }
  if (lookup.type === 'other') {
    return refused(`${path} exists and is ${describeFile(lookup)}; choose another path.`);
  }
  const what = describeFile(lookup);
  if (inputs.overwrite !== path) {
    return refused(`${path} exists (${what}). Confirm overwriting it, or choose another path.`);
  }
  return {
    problem: null,
    warning: `Overwrites ${path} (${what}): what it holds now is lost.`,
  };
}
