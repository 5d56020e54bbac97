// --allow-path confinement. Paths are compared after realpath, with a separator, so `root/../etc`
// and symlinks that leave the root are caught (websockify's prefix check was not).
import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { lstat, readlink, realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, resolve, sep } from 'node:path';
import { ProxyErrorClass } from '../src/qmp/errors.ts';
import type { QmpErrorBody } from '../src/qmp/wire.ts';

/** As many links as Linux follows in one lookup (MAXSYMLINKS); a longer chain fails there too. */
const MAX_LINKS = 40;

/**
 * The real path of `path`, resolving the longest existing ancestor for files not yet created. A
 * dangling symbolic link counts as the file it points to: creating a file through it (what
 * QEMU's open with O_CREAT does) creates the link's target.
 */
function realPathOf(path: string): string {
  let existing = path;
  const rest: string[] = [];
  for (let links = 0; ;) {
    try {
      return resolve(realpathSync(existing), ...rest);
    } catch {
      const target = links < MAX_LINKS ? danglingTargetSync(existing) : null;
      if (target !== null) {
        links++;
        existing = target;
        continue;
      }
      const parent = dirname(existing);
      if (parent === existing) return path;
      rest.unshift(basename(existing));
      existing = parent;
    }
  }
}

/** Where a symbolic link at `path` points, against its directory's real path; null if no link. */
function danglingTargetSync(path: string): string | null {
  try {
    if (!lstatSync(path).isSymbolicLink()) return null;
    return resolve(realpathSync(dirname(path)), readlinkSync(path));
  } catch {
    return null;
  }
}

/** The same as realPathOf, without blocking the event loop (for the HTTP file look-up). */
export async function realPathOfAsync(path: string): Promise<string> {
  let existing = path;
  const rest: string[] = [];
  for (let links = 0; ;) {
    try {
      return resolve(await realpath(existing), ...rest);
    } catch {
      const target = links < MAX_LINKS ? await danglingTarget(existing) : null;
      if (target !== null) {
        links++;
        existing = target;
        continue;
      }
      const parent = dirname(existing);
      if (parent === existing) return path;
      rest.unshift(basename(existing));
      existing = parent;
    }
  }
}

async function danglingTarget(path: string): Promise<string | null> {
  try {
    if (!(await lstat(path)).isSymbolicLink()) return null;
    return resolve(await realpath(dirname(path)), await readlink(path));
  } catch {
    return null;
  }
}

/** Whether a real path (from realPathOf) is one of the directories or lies below one. */
export function insideAllowDirs(real: string, allowDirs: readonly string[]): boolean {
  return allowDirs.some(
    (dir) => real === dir || real.startsWith(dir.endsWith(sep) ? dir : dir + sep),
  );
}

export function pathAllowed(path: string, allowDirs: string[]): boolean {
  if (!isAbsolute(path) || path.includes('\0')) return false;
  return insideAllowDirs(realPathOf(resolve(path)), allowDirs);
}

export function realAllowDirs(dirs: string[]): string[] {
  return dirs.map((dir) => realPathOf(resolve(dir)));
}

/** The refusal names the allowed directories, so the operator can pick a path that works. */
export const pathError = (
  path: string,
  where: string,
  allowDirs: readonly string[],
): QmpErrorBody => ({
  class: ProxyErrorClass.PathNotAllowed,
  desc: `${where} '${path}' is outside the directories allowed by --allow-path (${
    allowDirs.length === 0
      ? 'none is given, so no file can be named'
      : `allowed: ${allowDirs.join(', ')}; absolute paths only`
  })`,
});

/**
 * QEMU reads a file name as `json:{...}` options, as `protocol:rest` when a colon comes before
 * the first slash (block.c path_has_protocol), and relative to the image otherwise. Only plain
 * paths can be confined, so the other two are named in the refusal.
 */
export function nameKind(name: string): 'json' | 'protocol' | 'path' {
  if (name.startsWith('json:')) return 'json';
  const colon = name.indexOf(':');
  const slash = name.indexOf('/');
  return colon >= 0 && (slash < 0 || colon < slash) ? 'protocol' : 'path';
}

/** A file name sent by the operator: an absolute plain path inside an allowed directory. */
export function fileNameProblem(
  name: string,
  where: string,
  allowDirs: string[],
): QmpErrorBody | null {
  const kind = nameKind(name);
  if (kind !== 'path') {
    return {
      class: ProxyErrorClass.PathNotAllowed,
      desc: `${where} '${name}' is a ${kind === 'json' ? 'json: pseudo-protocol name' : 'protocol: name'}; only absolute paths inside --allow-path are accepted`,
    };
  }
  return pathAllowed(name, allowDirs) ? null : pathError(name, where, allowDirs);
}
