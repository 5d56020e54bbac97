// Reads one QMP reference manual page from disk (gzip as Debian installs it, or plain groff),
// bounded in size, and checks by its `.TH` title which program it documents and for which QEMU
// version. The text is untrusted input: it is only ever parsed into plain strings.
import { readFile, stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { QapiDefinition } from '../../src/schema/qapi-docs.ts';
import { toQapiDefinition } from './manual-definitions.ts';
import { parseManualDefinitions } from './manual-parser.ts';
import { manualHeader } from './roff-text.ts';

export type ManualProgram = 'qemu-system' | 'qemu-storage-daemon';

export interface QmpManual {
  path: string;
  program: ManualProgram;
  /** The QEMU version the page was built for (the `.TH` source field, e.g. 7.2.22). */
  version: string;
  definitions: QapiDefinition[];
}

/** QEMU 10.0's system manual is 140 KB compressed, 840 KB of text; these leave ample room. */
const MAX_FILE_BYTES = 4 * 1024 * 1024;
const MAX_TEXT_BYTES = 16 * 1024 * 1024;

const TITLES: Record<string, ManualProgram> = {
  'QEMU-QMP-REF': 'qemu-system',
  'QEMU-STORAGE-DAEMON-QMP-REF': 'qemu-storage-daemon',
};

export class ManualError extends Error {
  override name = 'ManualError';
}

async function readText(path: string): Promise<string> {
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new ManualError(`${path}: not a regular file`);
    size = info.size;
  } catch (error) {
    if (error instanceof ManualError) throw error;
    throw new ManualError(`${path}: ${(error as NodeJS.ErrnoException).code ?? 'cannot read'}`);
  }
  if (size > MAX_FILE_BYTES) throw new ManualError(`${path}: larger than 4 MiB`);
  const bytes = await readFile(path);
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes.toString('utf8');
  try {
    const text = await promisify(gunzip)(bytes, { maxOutputLength: MAX_TEXT_BYTES });
    return text.toString('utf8');
  } catch (error) {
    const tooBig = (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
    throw new ManualError(`${path}: ${tooBig ? 'more than 16 MiB of text' : 'not valid gzip'}`);
  }
}

/** Reads and parses a manual page; fails with a one-line ManualError when it is not one. */
export async function readQmpManual(path: string): Promise<QmpManual> {
  const text = await readText(path);
  const header = manualHeader(text);
  const program = header ? TITLES[header.title] : undefined;
  if (!header || !program)
    throw new ManualError(`${path}: not a QEMU QMP reference manual page (no .TH QEMU-QMP-REF)`);
  const file = path.split('/').at(-1) ?? path;
  const definitions = parseManualDefinitions(text).map((raw) => toQapiDefinition(raw, file));
  if (definitions.length === 0) throw new ManualError(`${path}: no QMP definitions found`);
  return { path, program, version: header.version, definitions };
}
