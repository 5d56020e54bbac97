// Header checks that run just before a command is sent: what the image files it opens name in
// their headers. A qcow2 node without an explicit `data-file` must not have an external data file;
// a vmdk node must be a single sparse file (a text descriptor names extent files that cannot be
// given explicitly); an image opened by file name must name nothing outside --allow-path, through
// its whole backing chain when QEMU follows it. A check that cannot be made refuses the command.
import { dirname, resolve } from 'node:path';
import { ProxyErrorClass } from '../src/qmp/errors.ts';
import type { JsonObject, JsonValue, QmpErrorBody } from '../src/qmp/wire.ts';
import { nameKind, pathAllowed } from './allowed-paths.ts';
import type { CommandResult } from './command-queue.ts';
import {
  HeaderError,
  readImageHeader,
  readImageHeaderSync,
  type ImageHeader,
} from './image-header.ts';
import { OPEN_FORMATS } from './open-by-name.ts';

export type ImageCheck =
  | { kind: 'format-node'; at: string; driver: string; file: JsonValue }
  /** A file name outside --allow-path that is acceptable only as a file QEMU already has open. */
  | { kind: 'open-file'; at: string; path: string }
  | {
      kind: 'open-by-name';
      at: string;
      path: string;
      format: string | null;
      followBacking: boolean;
    };

type Execute = (command: string, args?: JsonObject) => Promise<CommandResult>;
/** The file of a protocol node added through the proxy on this connection, if it is known. */
export type KnownFile = (node: string) => string | undefined;

const MAX_CHAIN = 16;
const PROTOCOL_DRIVERS = new Set(['file', 'host_device', 'host_cdrom']);

const refusal = (desc: string): QmpErrorBody => ({ class: ProxyErrorClass.Denied, desc });

async function header(path: string, format: string | null): Promise<ImageHeader | string> {
  try {
    return await readImageHeader(path, format);
  } catch (error) {
    if (error instanceof HeaderError) return `its header cannot be checked: ${error.message}`;
    const code = (error as { code?: string }).code ?? 'error';
    return `its header cannot be read (${code})`;
  }
}

/** Where a format node's `file` child lives: an inline file node, or an open node QEMU names. */
async function fileOf(
  file: JsonValue,
  nodes: () => Promise<JsonObject[]>,
  known: KnownFile,
): Promise<{ path: string } | { problem: string }> {
  if (typeof file === 'object' && file !== null && !Array.isArray(file)) {
    if (typeof file.driver === 'string' && PROTOCOL_DRIVERS.has(file.driver)) {
      if (typeof file.filename === 'string') return { path: file.filename };
    }
    return { problem: `its file is a ${String(file.driver)} node, whose image cannot be checked` };
  }
  if (typeof file !== 'string') return { problem: 'it has no file to check' };
  const remembered = known(file);
  if (remembered !== undefined) return { path: remembered };
  const node = (await nodes()).find((n) => n['node-name'] === file);
  if (!node) return { problem: `there is no node named '${file}'` };
  if (!PROTOCOL_DRIVERS.has(String(node.drv)) || typeof node.file !== 'string') {
    return {
      problem: `its file '${file}' is a ${String(node.drv)} node, whose image cannot be checked`,
    };
  }
  return { path: node.file };
}

/** What a format node's image header says against opening it without explicit children. */
function headerProblem(path: string, read: ImageHeader | string): string | null {
  if (typeof read === 'string') {
    // A missing file opens nothing; QEMU reports it.
    return read.includes('ENOENT') ? null : read;
  }
  if (read.format === 'vmdk-descriptor') {
    return `'${path}' is a vmdk descriptor, which names extent files QEMU would open; only single-file (sparse) vmdk images are allowed`;
  }
  if (read.externalDataFile) {
    return `'${path}' keeps its data in an external file${read.dataFileName ? ` ('${read.dataFileName}')` : ''}: give 'data-file' explicitly`;
  }
  return null;
}

function headerSync(path: string, format: string): ImageHeader | string {
  try {
    return readImageHeaderSync(path, format);
  } catch (error) {
    if (error instanceof HeaderError) return `its header cannot be checked: ${error.message}`;
    return `its header cannot be read (${(error as { code?: string }).code ?? 'error'})`;
  }
}

/**
 * Settles in this turn the format-node checks whose image file is known without asking QEMU (an
 * inline file node, or one added through the proxy): the refusal, or the checks still to run.
 */
export function settleKnownImages(
  checks: ImageCheck[],
  known: KnownFile,
): { refusal: QmpErrorBody } | { rest: ImageCheck[] } {
  const rest: ImageCheck[] = [];
  for (const check of checks) {
    const file = check.kind === 'format-node' ? check.file : null;
    const path =
      typeof file === 'string'
        ? known(file)
        : typeof file === 'object' &&
            file !== null &&
            !Array.isArray(file) &&
            typeof file.driver === 'string' &&
            PROTOCOL_DRIVERS.has(file.driver) &&
            typeof file.filename === 'string'
          ? file.filename
          : undefined;
    if (check.kind !== 'format-node' || path === undefined || !path.startsWith('/')) {
      rest.push(check);
      continue;
    }
    const problem = headerProblem(path, headerSync(path, check.driver));
    if (problem) return { refusal: refusal(`${check.at}: ${problem}`) };
  }
  return { rest };
}

async function formatNode(
  check: Extract<ImageCheck, { kind: 'format-node' }>,
  nodes: () => Promise<JsonObject[]>,
  known: KnownFile,
): Promise<string | null> {
  const where = await fileOf(check.file, nodes, known);
  if ('problem' in where) return where.problem;
  if (!where.path.startsWith('/')) return `its file '${where.path}' is not a plain path`;
  return headerProblem(where.path, await header(where.path, check.driver));
}

async function openByName(
  check: Extract<ImageCheck, { kind: 'open-by-name' }>,
  allowDirs: string[],
): Promise<string | null> {
  let path = check.path;
  let format = check.format;
  for (let depth = 0; depth < MAX_CHAIN; depth++) {
    const read = await header(path, format);
    if (typeof read === 'string')
      return read.includes('ENOENT') && depth === 0 ? null : `'${path}': ${read}`;
    if (read.format === 'vmdk-descriptor' || read.format === 'vmdk-sparse') {
      return `'${path}' is a vmdk image, whose descriptor names further files; open it with blockdev-add and an explicit backing`;
    }
    if (read.externalDataFile) {
      return `'${path}' keeps its data in an external file; open it with blockdev-add and an explicit data-file`;
    }
    if (!check.followBacking || !read.backing) return null;
    const kind = nameKind(read.backing);
    if (kind !== 'path') {
      return `'${path}' names its backing file as a ${kind === 'json' ? 'json: pseudo-protocol' : 'protocol:'} name, which QEMU would follow; open it with blockdev-add and an explicit backing`;
    }
    // QEMU resolves a relative backing name against the directory of the image naming it.
    const next = resolve(dirname(path), read.backing);
    if (!pathAllowed(next, allowDirs)) {
      return `'${path}' names the backing file '${read.backing}', outside --allow-path`;
    }
    if (read.backingFormat !== undefined && !OPEN_FORMATS.has(read.backingFormat)) {
      return `'${path}' names the backing format '${read.backingFormat}', which cannot be checked`;
    }
    path = next;
    format = read.backingFormat ?? null;
  }
  return `'${check.path}' has a backing chain longer than ${MAX_CHAIN} images`;
}

async function openFile(
  check: Extract<ImageCheck, { kind: 'open-file' }>,
  nodes: () => Promise<JsonObject[]>,
): Promise<string | null> {
  const open = (await nodes()).some((n) => n.file === check.path);
  return open ? null : `'${check.path}' is outside --allow-path and not a file QEMU has open`;
}

/** Runs the checks in order; the first refusal, or null when every image is acceptable. */
export async function imageCheckRefusal(
  execute: Execute,
  checks: ImageCheck[],
  allowDirs: string[],
  known: KnownFile = () => undefined,
): Promise<QmpErrorBody | null> {
  let listed: Promise<JsonObject[]> | null = null;
  const nodes = () =>
    (listed ??= execute('query-named-block-nodes', { flat: true }).then((result) =>
      result.kind === 'return' && Array.isArray(result.value)
        ? result.value.filter(
            (n): n is JsonObject => typeof n === 'object' && n !== null && !Array.isArray(n),
          )
        : Promise.reject(new Error('query-named-block-nodes failed')),
    ));
  for (const check of checks) {
    let problem: string | null;
    try {
      if (check.kind === 'format-node') problem = await formatNode(check, nodes, known);
      else if (check.kind === 'open-by-name') problem = await openByName(check, allowDirs);
      else problem = await openFile(check, nodes);
    } catch {
      problem = 'QEMU could not list its nodes to check it';
    }
    if (problem) {
      const desc = `${check.at}: ${problem}`;
      return check.kind === 'open-file'
        ? { class: ProxyErrorClass.PathNotAllowed, desc }
        : refusal(desc);
    }
  }
  return null;
}
