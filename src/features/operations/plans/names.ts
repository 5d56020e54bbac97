// Name rules QEMU enforces, checked before anything is sent so a refusal changes nothing
// (qmp-domain.md §6). Node names: a letter, then letters, digits, '-', '.', '_', at most 31
// characters. Job ids: the same characters, no length limit, unique among existing jobs
// (concluded but undismissed ones included).
import { findNode } from './graph-queries.ts';
import type { LiveState } from './live-state.ts';
import type { Problem } from './types.ts';

const WELL_FORMED = /^[A-Za-z][A-Za-z0-9._-]*$/;
export const NODE_NAME_MAX = 31;

export function nodeNameProblem(name: string, field = 'node-name'): Problem | null {
  if (name === '') return { field, message: 'A node name is required.' };
  if (!WELL_FORMED.test(name)) {
    return {
      field,
      message: `Invalid node name '${name}': start with a letter and use only letters, digits, '-', '.' and '_'.`,
    };
  }
  if (name.length > NODE_NAME_MAX) {
    return {
      field,
      message: `Node name '${name}' is ${name.length} characters long; QEMU allows at most ${NODE_NAME_MAX}.`,
    };
  }
  return null;
}

/** A node name that is well-formed and not yet used. */
export function newNodeNameProblem(
  live: LiveState,
  name: string,
  field = 'node-name',
): Problem | null {
  const bad = nodeNameProblem(name, field);
  if (bad) return bad;
  if (findNode(live, name)) {
    return { field, message: `A node named '${name}' already exists; choose another name.` };
  }
  return null;
}

export function jobIdProblem(live: LiveState, id: string, field = 'job-id'): Problem | null {
  if (id === '') return { field, message: 'A job id is required.' };
  if (!WELL_FORMED.test(id)) {
    return {
      field,
      message: `Invalid job id '${id}': start with a letter and use only letters, digits, '-', '.' and '_'.`,
    };
  }
  const existing = live.jobs.find((j) => j.id === id);
  if (existing) {
    return {
      field,
      message: `Job id '${id}' is already in use by a ${existing.type} job (${existing.status}); choose another id${existing.status === 'concluded' ? ' or dismiss that job first' : ''}.`,
    };
  }
  return null;
}

/** Reduces any text to a well-formed name stem (node names may be auto-named `#block123`). */
function stem(text: string): string {
  const cleaned = text.replace(/[^A-Za-z0-9._-]/g, '');
  return /^[A-Za-z]/.test(cleaned) ? cleaned : `n${cleaned}`;
}

/** `base`, `base-2`, `base-3`, … : the first that `taken` refuses, cut to `max` characters. */
export function uniqueName(
  base: string,
  taken: (name: string) => boolean,
  max = Number.POSITIVE_INFINITY,
): string {
  const root = stem(base);
  for (let i = 1; ; i++) {
    const suffix = i === 1 ? '' : `-${i}`;
    const name = root.slice(0, max - suffix.length) + suffix;
    if (!taken(name)) return name;
  }
}

export function suggestJobId(live: LiveState, kind: string, node: string): string {
  return uniqueName(`${kind}-${node}`, (id) => live.jobs.some((j) => j.id === id));
}

export function suggestNodeName(live: LiveState, base: string, reserved: string[] = []): string {
  return uniqueName(
    base,
    (n) => reserved.includes(n) || findNode(live, n) !== undefined,
    NODE_NAME_MAX,
  );
}

/** Absolute paths only: QEMU resolves relative ones against its own working directory. */
export function pathProblem(path: string, field = 'path'): Problem | null {
  if (path === '') return { field, message: 'A file path is required.' };
  if (!path.startsWith('/')) {
    return {
      field,
      message: `Give an absolute path ('${path}' would be relative to QEMU's working directory).`,
    };
  }
  return null;
}
