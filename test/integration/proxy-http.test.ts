// The HTTP surface without a QEMU behind it: static files only from the build, security headers,
// no redirects or listings, and malformed requests answered without taking the server down.
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProxy, type ProxyHandle } from '../../proxy/server.ts';
import { precompressDir } from '../../scripts/precompress.ts';
import { proxyConfig, startTestProxy } from './proxy-helpers.ts';

let dist: string;
let proxy: ProxyHandle;

beforeAll(async () => {
  dist = await mkdtemp(join(tmpdir(), 'blockscope-dist-'));
  await mkdir(join(dist, 'assets'));
  await writeFile(join(dist, 'index.html'), '<!doctype html><title>t</title>');
  await writeFile(join(dist, 'assets', 'app.js'), 'console.log(1)');
  await writeFile(join(dist, '..', 'blockscope-secret.txt'), 'secret');
  await precompressDir(dist);
  // Written after the build's manifest: on disk in dist/, but not part of the page.
  await writeFile(join(dist, 'assets', 'unlisted.js'), 'console.log(2)');
  proxy = await startTestProxy(proxyConfig([]), { distDir: dist });
});

afterAll(async () => {
  await proxy?.stop();
  await rm(dist, { recursive: true, force: true });
  await rm(join(dist, '..', 'blockscope-secret.txt'), { force: true });
});

/** Sends one raw request line and returns the status code of the answer. */
function rawStatus(requestLine: string, host = `127.0.0.1:${proxy.port}`): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(proxy.port, '127.0.0.1');
    let data = '';
    socket.on('data', (chunk: Buffer) => (data += String(chunk)));
    socket.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0)));
    socket.on('error', reject);
    socket.write(`${requestLine}\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
  });
}

describe('HTTP surface', () => {
  it('serves the SPA with security headers and no way out of dist/', async () => {
    const page = await fetch(`${proxy.origin}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(await page.text()).toContain('<title>t</title>');
    expect((await fetch(`${proxy.origin}/assets/app.js`)).status).toBe(200);
    // Only what the manifest lists: not a file added since, not the manifest itself.
    expect((await fetch(`${proxy.origin}/assets/unlisted.js`)).status).toBe(404);
    expect((await fetch(`${proxy.origin}/static-manifest.json`)).status).toBe(404);
    // Client-side routes get the SPA; nothing else leaves dist/ or lists it.
    expect(await (await fetch(`${proxy.origin}/jobs`)).text()).toContain('<title>t</title>');
    expect(await rawStatus('GET /../blockscope-secret.txt HTTP/1.1')).not.toBe(200);
    expect(await rawStatus('GET /%2e%2e/blockscope-secret.txt HTTP/1.1')).not.toBe(200);
    expect(await rawStatus('GET //example.com/%2F.. HTTP/1.1')).not.toBe(301);
    expect((await fetch(`${proxy.origin}/assets/`, { redirect: 'manual' })).status).not.toBe(301);
    expect((await fetch(`${proxy.origin}/`, { method: 'POST' })).status).toBe(405);
  });

  it('answers malformed requests and keeps serving', async () => {
    expect(await rawStatus('GET /%E0%A4%A.js HTTP/1.1')).toBe(400);
    expect(await rawStatus('GET /api/qmp/%E0%A4%A HTTP/1.1')).toBeGreaterThanOrEqual(400);
    expect(await rawStatus('GET /api/health HTTP/1.1', 'evil.example')).toBe(421);
    expect(await (await fetch(`${proxy.origin}/api/health`)).json()).toEqual({ ok: true });
  });

  it('serves HTTPS with Secure cookies when given a certificate, and refuses 0.0.0.0 without one', async () => {
    await expect(
      startProxy({ ...proxyConfig([]), listen: { host: '0.0.0.0', port: 0 } }),
    ).rejects.toThrow(/without TLS/);
    const key = join(dist, 'key.pem');
    const cert = join(dist, 'cert.pem');
    execFileSync(
      'openssl',
      [
        ...[
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-days',
          '1',
          '-subj',
          '/CN=127.0.0.1',
        ],
        ...['-keyout', key, '-out', cert],
      ],
      { stdio: 'ignore' },
    );
    const secure = await startTestProxy({ ...proxyConfig([]), tls: { cert, key } });
    try {
      expect(secure.origin).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const answer = await new Promise<{ status: number; cookie: string }>((resolve, reject) => {
        const req = httpsRequest(
          `${secure.origin}/api/session`,
          {
            method: 'POST',
            rejectUnauthorized: false,
            headers: { Authorization: `Bearer ${secure.token}` },
          },
          (res) => {
            res.resume();
            resolve({ status: res.statusCode ?? 0, cookie: String(res.headers['set-cookie']) });
          },
        );
        req.on('error', reject);
        req.end();
      });
      expect(answer.status).toBe(200);
      expect(answer.cookie).toMatch(/HttpOnly; SameSite=Strict; Path=\/; Max-Age=\d+; Secure/);
    } finally {
      await secure.stop();
    }
  });
});
