// Answers a GET or HEAD for the built page from the in-memory StaticSite: the encoding the browser
// accepts (brotli first, then gzip, else the file as is), an ETag per encoding with 304 for a
// matching If-None-Match, a year of immutable caching for /assets/ (their names carry a content
// hash), and never any caching of index.html so a new build is picked up on the next load.
import { createReadStream } from 'node:fs';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { extname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { StaticEncoding, StaticFile, StaticSite } from './static-manifest.ts';

type Choice = StaticEncoding | 'identity';

/** Codings with a non-zero q in Accept-Encoding (RFC 9110 §12.5.3); `*` stands for any. */
function acceptedCodings(header: string | undefined): Set<string> {
  const accepted = new Set<string>();
  for (const part of (header ?? '').split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    if (name && (q === undefined || Number(q) > 0)) accepted.add(name === 'x-gzip' ? 'gzip' : name);
  }
  return accepted;
}

function choose(file: StaticFile, header: string | undefined): Choice {
  const accepted = acceptedCodings(header);
  for (const encoding of ['br', 'gzip'] as const) {
    if (file.bodies[encoding] && (accepted.has(encoding) || accepted.has('*'))) return encoding;
  }
  return 'identity';
}

/** Weak comparison, as If-None-Match asks (RFC 9110 §13.1.2). */
function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  return ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

function cacheControl(path: string): string {
  if (path === '/index.html') return 'no-store';
  if (path.startsWith('/assets/')) return 'public, max-age=31536000, immutable';
  return 'no-cache';
}

/** The file a URL path names: itself if listed, index.html for extensionless (SPA) routes. */
function lookup(site: StaticSite, pathname: string): [string, StaticFile] | undefined {
  const path = pathname === '/' || !extname(pathname) ? '/index.html' : pathname;
  const file = site.get(path);
  return file ? [path, file] : undefined;
}

export function serveStaticFile(
  site: StaticSite,
  req: IncomingMessage,
  res: ServerResponse,
  securityHeaders: OutgoingHttpHeaders,
): void {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const found = lookup(site, decodeURIComponent(url.pathname));
  if (!found) {
    res.writeHead(404, { 'Content-Type': 'text/plain', ...securityHeaders }).end('not found\n');
    return;
  }
  const [path, file] = found;
  const encoding = choose(file, req.headers['accept-encoding']);
  const etag = encoding === 'identity' ? `"${file.hash}"` : `"${file.hash}.${encoding}"`;
  const headers: OutgoingHttpHeaders = {
    ETag: etag,
    'Cache-Control': cacheControl(path),
    ...(file.bodies.br || file.bodies.gzip ? { Vary: 'Accept-Encoding' } : {}),
    ...securityHeaders,
  };
  if (matches(req.headers['if-none-match'], etag)) {
    res.writeHead(304, headers).end();
    return;
  }
  const body = file.bodies[encoding]!;
  res.writeHead(200, {
    'Content-Type': file.contentType,
    'Content-Length': body.size,
    ...(encoding === 'identity' ? {} : { 'Content-Encoding': encoding }),
    ...headers,
  });
  if (req.method === 'HEAD' || body.data) {
    res.end(req.method === 'HEAD' ? undefined : body.data);
    return;
  }
  // The length is already announced: a read error can only cut the response short.
  pipeline(createReadStream(body.file), res).catch(() => res.destroy());
}
