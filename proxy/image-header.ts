// A small reader of the image headers that name other files: qcow2 (docs/interop/qcow2.txt: the
// backing file name, the backing format and external data file extensions, the data-file bit),
// qcow version 1, QED (docs/interop/qed_spec.txt) and VMDK (sparse magic or a text descriptor).
// Image files are untrusted input: every offset and length is bounded before it is used, and a
// header this reader cannot make sense of is reported as such rather than guessed at.
import { closeSync, openSync, readSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

export type HeaderFormat = 'qcow2' | 'qcow' | 'qed' | 'vmdk-sparse' | 'vmdk-descriptor' | 'other';

export interface ImageHeader {
  format: HeaderFormat;
  /** The backing file name as written in the header (not resolved). */
  backing?: string;
  backingFormat?: string;
  /** qcow2: the incompatible feature bit that says guest data lives in another file. */
  externalDataFile: boolean;
  dataFileName?: string;
  /** qcow, qcow2 and QED: the guest-visible size the header states, in bytes. */
  virtualSize?: number;
}

/** The first cluster of a qcow2 holds its header extensions; QEMU's largest cluster is 2 MiB. */
const MAX_HEADER_BYTES = 2 * 1024 * 1024;
const MAX_NAME_BYTES = 4096;
const QCOW_MAGIC = 0x514649fb; // "QFI\xfb"
const QED_MAGIC = 0x00444551; // "QED\0", little-endian
const EXT_BACKING_FORMAT = 0xe2792aca;
const EXT_DATA_FILE = 0x44415441;
const INCOMPAT_DATA_FILE = 1n << 2n;
const QED_F_BACKING_FILE = 1n;

export class HeaderError extends Error {}

async function readPrefix(handle: FileHandle): Promise<Buffer> {
  const buffer = Buffer.alloc(MAX_HEADER_BYTES);
  const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
  return buffer.subarray(0, bytesRead);
}

function name(buffer: Buffer, offset: number, size: number, what: string): string {
  if (size === 0) return '';
  if (size > MAX_NAME_BYTES || offset + size > buffer.length || offset < 0) {
    throw new HeaderError(`the ${what} name lies outside the header this reader checks`);
  }
  return buffer.subarray(offset, offset + size).toString('latin1');
}

function qcow2(buffer: Buffer): ImageHeader {
  if (buffer.length < 72) throw new HeaderError('the qcow2 header is truncated');
  const version = buffer.readUInt32BE(4);
  // The size sits at offset 24 in both versions (qcow2.txt; qcow v1's header in block/qcow.c).
  const header: ImageHeader = {
    format: version === 1 ? 'qcow' : 'qcow2',
    externalDataFile: false,
    virtualSize: Number(buffer.readBigUInt64BE(24)),
  };
  const backingOffset = buffer.readBigUInt64BE(8);
  if (version === 1) {
    const size = buffer.readUInt32BE(16);
    if (size > 0) header.backing = name(buffer, Number(backingOffset), size, 'backing file');
    return header;
  }
  const backingSize = buffer.readUInt32BE(16);
  if (backingSize > 0 && backingOffset > 0n) {
    if (backingOffset > BigInt(MAX_HEADER_BYTES))
      throw new HeaderError('backing file name too far');
    header.backing = name(buffer, Number(backingOffset), backingSize, 'backing file');
  }
  let headerLength = 72;
  if (version >= 3) {
    if (buffer.length < 104) throw new HeaderError('the qcow2 v3 header is truncated');
    header.externalDataFile = (buffer.readBigUInt64BE(72) & INCOMPAT_DATA_FILE) !== 0n;
    headerLength = buffer.readUInt32BE(100);
  }
  // Extensions run from the header's end to the backing name or the end of the first cluster.
  const clusterBits = buffer.readUInt32BE(20);
  const clusterEnd = clusterBits >= 9 && clusterBits <= 21 ? 2 ** clusterBits : MAX_HEADER_BYTES;
  const end = Math.min(
    backingOffset > 0n ? Number(backingOffset) : clusterEnd,
    clusterEnd,
    buffer.length,
  );
  for (let at = headerLength; at + 8 <= end;) {
    const type = buffer.readUInt32BE(at);
    const length = buffer.readUInt32BE(at + 4);
    if (type === 0) break;
    const data = at + 8;
    if (data + length > end) throw new HeaderError('a qcow2 header extension overruns the header');
    if (type === EXT_BACKING_FORMAT) header.backingFormat = name(buffer, data, length, 'format');
    if (type === EXT_DATA_FILE) header.dataFileName = name(buffer, data, length, 'data file');
    at = data + Math.ceil(length / 8) * 8;
  }
  return header;
}

function qed(buffer: Buffer): ImageHeader {
  if (buffer.length < 64) throw new HeaderError('the QED header is truncated');
  const header: ImageHeader = {
    format: 'qed',
    externalDataFile: false,
    virtualSize: Number(buffer.readBigUInt64LE(48)),
  };
  if ((buffer.readBigUInt64LE(16) & QED_F_BACKING_FILE) !== 0n) {
    const offset = buffer.readUInt32LE(56);
    const size = buffer.readUInt32LE(60);
    header.backing = name(buffer, offset, size, 'backing file');
  }
  return header;
}

/**
 * Reads what the header of `path` names. `format` is the driver QEMU will use; without one QEMU
 * probes, and this reader recognises the formats whose images name other files.
 */
export async function readImageHeader(path: string, format: string | null): Promise<ImageHeader> {
  if (!readsHeader(format)) return { format: 'other', externalDataFile: false };
  const handle = await open(path, 'r');
  try {
    return parseImageHeader(await readPrefix(handle), format);
  } finally {
    await handle.close();
  }
}

/** What the header of a file already open says, probed as QEMU would without a format. */
export async function readOpenImageHeader(handle: FileHandle): Promise<ImageHeader> {
  return parseImageHeader(await readPrefix(handle), null);
}

/**
 * The same, read in this turn (a local image file, at most 2 MiB): a command whose image is known
 * is then sent in the turn it arrived in, as every other command is.
 */
export function readImageHeaderSync(path: string, format: string | null): ImageHeader {
  if (!readsHeader(format)) return { format: 'other', externalDataFile: false };
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(MAX_HEADER_BYTES);
    return parseImageHeader(buffer.subarray(0, readSync(fd, buffer, 0, buffer.length, 0)), format);
  } finally {
    closeSync(fd);
  }
}

const readsHeader = (format: string | null) =>
  format === null || ['qcow2', 'qcow', 'qed', 'vmdk'].includes(format);

function parseImageHeader(buffer: Buffer, format: string | null): ImageHeader {
  const other: ImageHeader = { format: 'other', externalDataFile: false };
  const magic = buffer.length >= 4 ? buffer.readUInt32BE(0) : 0;
  const ascii = buffer.subarray(0, 4).toString('latin1');
  const isVmdkSparse = ascii === 'KDMV' || ascii === 'COWD';
  if (format === 'vmdk')
    return { format: isVmdkSparse ? 'vmdk-sparse' : 'vmdk-descriptor', externalDataFile: false };
  if (magic === QCOW_MAGIC) {
    const parsed = qcow2(buffer);
    // qcow2 opens versions 2 and 3, qcow version 1: a mismatch fails in QEMU and opens nothing.
    if (format === null || format === parsed.format) return parsed;
    return other;
  }
  if (buffer.length >= 4 && buffer.readUInt32LE(0) === QED_MAGIC && (format ?? 'qed') === 'qed') {
    return qed(buffer);
  }
  if (format === null) {
    if (isVmdkSparse) return { format: 'vmdk-sparse', externalDataFile: false };
    // vmdk probes a text descriptor by a `version=` line near the start of the file.
    if (/^[ \t]*version[ \t]*=/m.test(buffer.subarray(0, 2048).toString('latin1'))) {
      return { format: 'vmdk-descriptor', externalDataFile: false };
    }
  }
  return other;
}
