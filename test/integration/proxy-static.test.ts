// The built page over HTTP: the encoding a browser accepts (brotli, then gzip, else identity),
// ETag revalidation, and caching that suits each file (hashed assets for a year, index.html never),
// from a dist/ that scripts/precompress.ts prepared the way `npm run build` does.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProxyHandle } from '../../proxy/server.ts';
import { startProxy } from '../../proxy/server.ts';
import { precompressDir } from '../../scripts/precompress.ts';
import { proxyConfig, startTestProxy } from './proxy-helpers.ts';

const run = promisify(execFile);
let dist: string;
let proxy: ProxyHandle;
// Over 64 KiB, so the file itself is streamed from disk while its compressed copies are held in memory.
const script = Array.from({ length: 4000 }, (_, i) => `console.log("line ${i % 37}");`).join('\n');
const noise = randomBytes(4096);

beforeAll(async () => {
  dist = await mkdtemp(join(tmpdir(), 'blockscope-static-'));
  await mkdir(join(dist, 'assets'));
  await writeFile(join(dist, 'index.html'), '<!doctype html><title>static</title>');
  await writeFile(join(dist, 'assets', 'app-abc123.js'), script);
  await writeFile(join(dist, 'assets', 'noise-def456.png'), noise);
  await writeFile(join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  await precompressDir(dist);
  proxy = await startTestProxy(proxyConfig([]), { distDir: dist });
});

afterAll(async () => {
  await proxy?.stop();
  await rm(dist, { recursive: true, force: true });
});

/** A raw GET (fetch would decode the body and hide Content-Encoding). */
function get(
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<{ status: number; headers: Record<string, string | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(`${proxy.origin}${path}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers as Record<string, string | undefined>,
          body: Buffer.concat(chunks),
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('static files', () => {
  it('sends brotli when accepted, else gzip, else the file as is; each with its own ETag', async () => {
    const br = await get('/assets/app-abc123.js', { 'Accept-Encoding': 'gzip, deflate, br' });
    expect(br.status).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toBe('Accept-Encoding');
    expect(Number(br.headers['content-length'])).toBe(br.body.length);
    expect(br.body.length).toBeLessThan(script.length / 4);
    expect(brotliDecompressSync(br.body).toString()).toBe(script);

    const gz = await get('/assets/app-abc123.js', { 'Accept-Encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).toString()).toBe(script);

    // br refused with q=0, and no Accept-Encoding at all.
    const refused = await get('/assets/app-abc123.js', { 'Accept-Encoding': 'br;q=0, gzip;q=0.5' });
    expect(refused.headers['content-encoding']).toBe('gzip');
    const plain = await get('/assets/app-abc123.js');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(script);

    const tags = new Set([br, gz, plain].map((r) => r.headers.etag));
    expect(tags.size).toBe(3);
    for (const tag of tags) expect(tag).toMatch(/^"[\w.-]+"$/);
  });

  it('answers a matching If-None-Match with 304 and no body, a stale one with the file', async () => {
    const first = await get('/assets/app-abc123.js', { 'Accept-Encoding': 'br' });
    const again = await get('/assets/app-abc123.js', {
      'Accept-Encoding': 'br',
      'If-None-Match': first.headers.etag!,
    });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    expect(again.headers.etag).toBe(first.headers.etag);
    expect(again.headers['cache-control']).toBe(first.headers['cache-control']);
    // The gzip copy's tag does not validate the brotli copy.
    const gz = await get('/assets/app-abc123.js', { 'Accept-Encoding': 'gzip' });
    const other = await get('/assets/app-abc123.js', {
      'Accept-Encoding': 'br',
      'If-None-Match': gz.headers.etag!,
    });
    expect(other.status).toBe(200);
    expect(other.headers['content-encoding']).toBe('br');
  });

  it('caches hashed assets for a year, revalidates the rest, and never caches index.html', async () => {
    const asset = await get('/assets/app-abc123.js');
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const page = await get('/', { 'Accept-Encoding': 'br' });
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    // Too small to be worth compressing: sent as is even when br is accepted.
    expect(page.headers['content-encoding']).toBeUndefined();
    expect(page.body.toString()).toContain('<title>static</title>');
    const route = await get('/jobs/mirror0');
    expect(route.body.toString()).toContain('<title>static</title>');
    const icon = await get('/favicon.svg');
    expect(icon.headers['cache-control']).toBe('no-cache');
  });

  it('keeps files that compression does not shrink as they are, and lists no copies as files', async () => {
    const png = await get('/assets/noise-def456.png', { 'Accept-Encoding': 'br, gzip' });
    expect(png.headers['content-encoding']).toBeUndefined();
    expect(png.body.equals(noise)).toBe(true);
    expect(existsSync(join(dist, 'assets', 'noise-def456.png.br'))).toBe(false);
    expect((await get('/assets/app-abc123.js.br')).status).toBe(404);
    expect((await get('/assets/app-abc123.js.gz')).status).toBe(404);
    expect((await get('/assets/missing.js')).status).toBe(404);
    const head = await get('/assets/app-abc123.js', { 'Accept-Encoding': 'br' }, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect(Number(head.headers['content-length'])).toBe(
      (await readFile(join(dist, 'assets', 'app-abc123.js.br'))).length,
    );
  });

  it('keeps serving the index.html it started with when the file is replaced (an upgrade)', async () => {
    const before = (await get('/')).body.toString();
    await writeFile(
      join(dist, 'index.html'),
      '<!doctype html><title>replaced, longer than before</title>',
    );
    try {
      const after = await get('/');
      expect(after.body.toString()).toBe(before);
      expect(Number(after.headers['content-length'])).toBe(after.body.length);
    } finally {
      await writeFile(join(dist, 'index.html'), before);
    }
  });

  it('refuses to start on a dist/ without a manifest', async () => {
    const bare = await mkdtemp(join(tmpdir(), 'blockscope-bare-'));
    try {
      await writeFile(join(bare, 'index.html'), '<!doctype html>');
      await expect(startProxy(proxyConfig([]), { distDir: bare })).rejects.toThrow(
        /static-manifest\.json is missing; run `npm run build`/,
      );
    } finally {
      await rm(bare, { recursive: true, force: true });
    }
  });

  it('gives curl --compressed brotli and then 304 for the ETag it got', async () => {
    const url = `${proxy.origin}/assets/app-abc123.js`;
    const first = await run('curl', [
      ...['-sS', '--compressed', '-H', 'Accept-Encoding: br', '-D', '-', url],
    ]);
    const [head = '', body = ''] = first.stdout.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 200/);
    expect(head).toMatch(/\r\nContent-Encoding: br\r\n/i);
    expect(body).toBe(script); // curl decoded it
    const etag = /\r\nETag: ("[^"]+")/i.exec(head)?.[1];
    expect(etag).toBeDefined();
    const second = await run('curl', [
      ...['-sS', '--compressed', '-H', 'Accept-Encoding: br', '-H', `If-None-Match: ${etag}`],
      ...['-o', '/dev/null', '-w', '%{http_code}', url],
    ]);
    expect(second.stdout).toBe('304');
  });
});
