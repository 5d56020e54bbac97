// --allow-path confinement. Paths are compared after realpath, with a separator, so `root/../etc`
// and symlinks that leave the root are caught (websockify's prefix check was not).
import { realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, resolve, sep } from 'node:path';
import { ProxyErrorClass } from '../src/qmp/errors.ts';
import type { QmpErrorBody } from '../src/qmp/wire.ts';

/** The real path of `path`, resolving the longest existing ancestor for files not yet created. */
function realPathOf(path: string): string {
  let existing = path;
  const rest: string[] = [];
  for (;;) {
    try {
      return resolve(realpathSync(existing), ...rest);
    } catch {
      const parent = dirname(existing);
      if (parent === existing) return path;
      rest.unshift(basename(existing));
      existing = parent;
    }
  }
}

export function pathAllowed(path: string, allowDirs: string[]): boolean {
  if (!isAbsolute(path) || path.includes('\0')) return false;
  const real = realPathOf(resolve(path));
  return allowDirs.some(
    (dir) => real === dir || real.startsWith(dir.endsWith(sep) ? dir : dir + sep),
  );
}

export function realAllowDirs(dirs: string[]): string[] {
  return dirs.map((dir) => realPathOf(resolve(dir)));
}

export const pathError = (path: string, where: string): QmpErrorBody => ({
  class: ProxyErrorClass.PathNotAllowed,
  desc: `${where} '${path}' is outside the directories allowed by --allow-path (absolute paths only)`,
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
  return pathAllowed(name, allowDirs) ? null : pathError(name, where);
}
