// The built page as the server knows it: the list of files that scripts/precompress.ts wrote into
// dist/static-manifest.json at build time, read once at start. Only the files on this list (and
// their brotli and gzip copies) are ever served. Small bodies (index.html, icons) are read now, so
// they stay consistent with this list even if the files are replaced while the server runs (a
// package upgrade); large ones are streamed from disk when asked for, which keeps the server's
// resident memory free of megabytes of scripts it sends only now and then.
import { readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { ConfigError } from './config.ts';

export const MANIFEST_NAME = 'static-manifest.json';
export type StaticEncoding = 'br' | 'gzip';
export const ENCODED_SUFFIX: Record<StaticEncoding, string> = { br: '.br', gzip: '.gz' };

export interface StaticManifest {
  version: 1;
  /**
   * `path` is relative to dist/ with `/` separators; `hash` is the start of the body's SHA-256
   * (base64url), the ETag; `encodings` names the copies beside it.
   */
  files: { path: string; size: number; hash: string; encodings: StaticEncoding[] }[];
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/** Bodies up to this size are held in memory. */
const IN_MEMORY_MAX = 64 * 1024;

export interface StaticBody {
  file: string;
  size: number;
  /** The body itself when it is small; otherwise it is read from `file` per request. */
  data?: Buffer;
}

export interface StaticFile {
  contentType: string;
  /** Content hash of the identity body; each encoding's ETag adds its name to it. */
  hash: string;
  bodies: Partial<Record<StaticEncoding | 'identity', StaticBody>>;
}

/** URL path (`/assets/index-abc.js`) → the file, from the manifest in `distDir`. */
export type StaticSite = ReadonlyMap<string, StaticFile>;

/** A manifest path is a plain relative path inside dist/: no `..`, no empty or dot segments. */
function isPlainPath(path: string): boolean {
  return path.split('/').every((part) => part !== '' && part !== '.' && part !== '..');
}

function parseManifest(text: string, where: string): StaticManifest {
  const manifest = JSON.parse(text) as StaticManifest;
  const ok =
    manifest?.version === 1 &&
    Array.isArray(manifest.files) &&
    manifest.files.every(
      (f) =>
        typeof f?.path === 'string' &&
        isPlainPath(f.path) &&
        typeof f.hash === 'string' &&
        /^[\w-]+$/.test(f.hash) &&
        Array.isArray(f.encodings) &&
        f.encodings.every((e) => e === 'br' || e === 'gzip'),
    );
  if (!ok) throw new ConfigError(`${where}: not a manifest this version understands`);
  return manifest;
}

export function loadStaticSite(distDir: string): StaticSite {
  const where = join(distDir, MANIFEST_NAME);
  let text: string;
  try {
    text = readFileSync(where, 'utf8');
  } catch {
    throw new ConfigError(`${where} is missing; run \`npm run build\``);
  }
  const site = new Map<string, StaticFile>();
  for (const entry of parseManifest(text, where).files) {
    const file = join(distDir, entry.path);
    // A listed file that is gone is a broken build: say so now, not on some later request.
    const body = (name: string): StaticBody => {
      try {
        const size = statSync(name).size;
        if (size > IN_MEMORY_MAX) return { file: name, size };
        const data = readFileSync(name);
        return { file: name, size: data.length, data };
      } catch {
        throw new ConfigError(`${where} lists ${name}, which is missing; run \`npm run build\``);
      }
    };
    const bodies: StaticFile['bodies'] = { identity: body(file) };
    for (const encoding of entry.encodings) {
      bodies[encoding] = body(file + ENCODED_SUFFIX[encoding]);
    }
    site.set(`/${entry.path}`, {
      contentType: CONTENT_TYPES[extname(entry.path)] ?? 'application/octet-stream',
      hash: entry.hash,
      bodies,
    });
  }
  if (!site.has('/index.html')) throw new ConfigError(`${where} lists no index.html`);
  return site;
}
