// Build step after Vite: list every file of the built page in dist/static-manifest.json and write
// brotli (.br) and gzip (.gz) copies beside the ones that shrink, so the server reads the list
// once at start and answers each request with the smallest encoding the browser accepts, without
// compressing anything at run time. The manifest's shape is proxy/static-manifest.ts's.
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { Plugin } from 'vite';
import {
  ENCODED_SUFFIX,
  MANIFEST_NAME,
  type StaticEncoding,
  type StaticManifest,
} from '../proxy/static-manifest.ts';

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/** Below this, a compressed body saves less than the headers that announce it cost. */
const MIN_SIZE = 1024;
/** Keep an encoding only when it saves at least this share (images and fonts are compressed already). */
const MIN_SAVING = 0.1;

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .filter(
      (file) =>
        file !== MANIFEST_NAME &&
        !Object.values(ENCODED_SUFFIX).some((suffix) => file.endsWith(suffix)),
    )
    .sort();
}

function compress(encoding: StaticEncoding, body: Buffer): Promise<Buffer> {
  if (encoding === 'gzip') return gzipAsync(body, { level: 9 });
  return brotli(body, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
    },
  });
}

/** Compresses what is worth it in `dir` and writes the manifest; returns the manifest. */
export async function precompressDir(dir: string): Promise<StaticManifest> {
  const manifest: StaticManifest = { version: 1, files: [] };
  for (const file of await listFiles(dir)) {
    const body = await readFile(join(dir, file));
    const encodings: StaticEncoding[] = [];
    if (body.length >= MIN_SIZE) {
      const variants = await Promise.all(
        (['br', 'gzip'] as const).map(async (encoding) => ({
          encoding,
          body: await compress(encoding, body),
        })),
      );
      for (const variant of variants) {
        if (variant.body.length > body.length * (1 - MIN_SAVING)) continue;
        await writeFile(join(dir, file + ENCODED_SUFFIX[variant.encoding]), variant.body);
        encodings.push(variant.encoding);
      }
    }
    const hash = createHash('sha256').update(body).digest('base64url').slice(0, 22);
    manifest.files.push({ path: file, size: body.length, hash, encodings });
  }
  await writeFile(join(dir, MANIFEST_NAME), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}

/** The Vite plugin: runs precompressDir on the output directory once the build is written. */
export function precompress(): Plugin {
  let outDir = 'dist';
  return {
    name: 'blockscope-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    async closeBundle() {
      await precompressDir(outDir);
    },
  };
}
