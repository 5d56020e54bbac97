// Disk images for the demo and the tests, made with qemu-img and filled with qemu-io.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { qemuBinaries } from './binaries.ts';

const run = promisify(execFile);

export interface ImageSpec {
  path: string;
  format: 'qcow2' | 'raw';
  /** Virtual size in bytes, or with a qemu-img suffix such as `64M`. */
  size: number | string;
  /** A backing image; its format is given explicitly, as qemu-img requires. */
  backing?: { path: string; format: 'qcow2' | 'raw' };
}

export async function createImage(spec: ImageSpec): Promise<void> {
  const { img } = qemuBinaries();
  const args = ['create', '-q', '-f', spec.format];
  if (spec.backing) args.push('-b', spec.backing.path, '-F', spec.backing.format);
  args.push(spec.path, String(spec.size));
  await run(img, args);
}

/** One write of `length` bytes filled with `pattern` at `offset`, through qemu-io. */
export interface PatternWrite {
  offset: number | string;
  length: number | string;
  pattern: number;
}

export async function writePatterns(
  path: string,
  format: 'qcow2' | 'raw',
  writes: PatternWrite[],
): Promise<void> {
  const { io } = qemuBinaries();
  const args = ['-f', format];
  for (const w of writes) args.push('-c', `write -q -P ${w.pattern} ${w.offset} ${w.length}`);
  args.push(path);
  await run(io, args);
}

export interface ImageInfo {
  'virtual-size': number;
  'actual-size'?: number;
  format: string;
  filename: string;
  'backing-filename'?: string;
  'full-backing-filename'?: string;
}

/** `qemu-img info --backing-chain`; `-U` so it also works on images a running QEMU holds. */
export async function imageChain(path: string): Promise<ImageInfo[]> {
  const { img } = qemuBinaries();
  const { stdout } = await run(img, ['info', '-U', '--backing-chain', '--output=json', path]);
  return JSON.parse(stdout) as ImageInfo[];
}

/** True when qemu-img compare finds the two images' guest-visible contents identical. */
export async function imagesIdentical(a: string, b: string): Promise<boolean> {
  const { img } = qemuBinaries();
  try {
    await run(img, ['compare', '-U', a, b]);
    return true;
  } catch (error) {
    if ((error as { code?: number }).code === 1) return false;
    throw error;
  }
}
