// The read-only file look-up behind GET /api/targets/NAME/file: what is at a path, so the page can
// ask before a plan creates an image over a file. Confined to --allow-path by the rule file
// arguments follow (allowed-paths.ts). It writes nothing, opens nothing but a regular file, reads
// at most an image header, and uses only asynchronous calls.
import { constants } from 'node:fs';
import { lstat, open, stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import type { FileAtPath, FileImageFormat, FileLookupError } from '../src/qmp/file-lookup.ts';
import { insideAllowDirs, pathError, realPathOfAsync } from './allowed-paths.ts';
import { readOpenImageHeader, type HeaderFormat } from './image-header.ts';

/** Linux's PATH_MAX, counting the terminating NUL. */
const PATH_MAX = 4096;

export interface FileLookupAnswer {
  status: 200 | 400 | 403 | 500;
  body: FileAtPath | FileLookupError;
}

const FORMATS: Record<HeaderFormat, FileImageFormat> = {
  qcow2: 'qcow2',
  qcow: 'qcow',
  qed: 'qed',
  'vmdk-sparse': 'vmdk',
  'vmdk-descriptor': 'vmdk',
  other: 'raw',
};

const refused = (status: 400 | 403 | 500, error: string): FileLookupAnswer => ({
  status,
  body: { error },
});

const codeOf = (error: unknown) => (error as { code?: string }).code ?? 'error';

/** Looks at `path` (the query's one `path` value) for a client of either role. */
export async function lookUpFile(
  path: string,
  allowDirs: readonly string[],
): Promise<FileLookupAnswer> {
  if (path.includes('\0')) return refused(400, 'the path contains a NUL byte');
  if (!isAbsolute(path)) return refused(400, `'${path}' is not an absolute path`);
  if (Buffer.byteLength(path) >= PATH_MAX) return refused(400, 'the path is longer than PATH_MAX');
  const real = await realPathOfAsync(resolve(path));
  if (!insideAllowDirs(real, allowDirs)) {
    return refused(403, pathError(path, 'path', allowDirs).desc);
  }
  try {
    return { status: 200, body: await describe(path, real) };
  } catch (error) {
    return refused(500, `cannot look at '${path}' (${codeOf(error)})`);
  }
}

/** What is at `real` (the resolved `path`), reported under the path the client gave. */
async function describe(path: string, real: string): Promise<FileAtPath> {
  let info;
  try {
    info = await stat(real);
  } catch (error) {
    if (codeOf(error) !== 'ENOENT' && codeOf(error) !== 'ENOTDIR') throw error;
    // Still there as an entry (a link loop, or a link that changed since it was resolved).
    const entry = await lstat(real).catch(() => null);
    return entry
      ? { path, exists: true, type: 'other', size: entry.size }
      : { path, exists: false };
  }
  if (info.isDirectory()) return { path, exists: true, type: 'directory', size: info.size };
  if (!info.isFile()) return { path, exists: true, type: 'other', size: info.size };
  return { path, exists: true, type: 'file', size: info.size, ...(await imageFormat(real, info)) };
}

/**
 * The image format of a regular file. Opened without following a link and without waiting (a
 * pipe swapped in since the stat would block a read), and checked to be the file just stated.
 */
async function imageFormat(
  real: string,
  info: { dev: number; ino: number },
): Promise<{ format: FileImageFormat; virtualSize?: number }> {
  let handle;
  try {
    handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return { format: 'unknown' };
  }
  try {
    const opened = await handle.stat();
    if (!opened.isFile() || opened.dev !== info.dev || opened.ino !== info.ino) {
      return { format: 'unknown' };
    }
    const header = await readOpenImageHeader(handle);
    return {
      format: FORMATS[header.format],
      ...(header.virtualSize !== undefined ? { virtualSize: header.virtualSize } : {}),
    };
  } catch {
    // A header that does not parse (HeaderError) or a read that fails: the file is still there.
    return { format: 'unknown' };
  } finally {
    await handle.close();
  }
}
