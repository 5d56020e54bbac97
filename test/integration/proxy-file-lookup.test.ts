// The file look-up (GET /api/targets/NAME/file?path=…) against the real proxy and real image files
// made by qemu-img: what it reports for a missing file, a qcow2 (format and virtual size as
// qemu-img states them), a raw file, a directory and a socket; that symbolic links and `..` are
// resolved before the --allow-path check (403, audited); bad input (400); and who may ask.
import { readFileSync, realpathSync } from 'node:fs';
import { mkdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProxyHandle } from '../../proxy/server.ts';
import { createImage, imageChain, makeTempDir, writePatterns } from '../harness/qemu.ts';
import { proxyConfig } from './proxy-helpers.ts';
import { startProxy } from '../../proxy/server.ts';

const MiB = 1024 * 1024;
let dir: string;
let images: string;
let outside: string;
let proxy: ProxyHandle;
let socketServer: Server;
let auditPath: string;

// The look-up needs no QEMU connection: the target is named only to scope the URL.
const target = { name: 'vm', address: { type: 'unix' as const, path: '/nonexistent/qmp.sock' } };

beforeAll(async () => {
  dir = await makeTempDir('blockscope-lookup-');
  images = join(dir, 'images');
  outside = join(dir, 'outside');
  await mkdir(images);
  await mkdir(outside);
  await mkdir(join(images, 'sub'));
  await createImage({ path: join(images, 'full.qcow2'), format: 'qcow2', size: 256 * MiB });
  await writePatterns(join(images, 'full.qcow2'), 'qcow2', [
    { offset: 0, length: 3 * MiB, pattern: 0x5a },
  ]);
  await writeFile(join(images, 'data.raw'), Buffer.alloc(MiB, 0x44));
  await createImage({ path: join(outside, 'secret.qcow2'), format: 'qcow2', size: 64 * MiB });
  await symlink(join(images, 'full.qcow2'), join(images, 'same.qcow2'));
  await symlink(join(outside, 'secret.qcow2'), join(images, 'escape.qcow2'));
  // A link to nothing outside: creating an image "at" it would create the file outside.
  await symlink(join(outside, 'new.qcow2'), join(images, 'dangling.qcow2'));
  socketServer = createServer();
  await new Promise<void>((resolve) => socketServer.listen(join(images, 'nbd.sock'), resolve));
  auditPath = join(dir, 'audit.jsonl');
  proxy = await startProxy(
    proxyConfig([target], {
      allowPaths: [images],
      viewerTokenFile: join(dir, 'viewer-token'),
      auditLog: auditPath,
    }),
    { tokenStore: 'ephemeral' },
  );
});

afterAll(async () => {
  await proxy?.stop();
  await new Promise((resolve) => socketServer?.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

async function lookUp(
  path: string,
  { token = proxy.token as string | null | undefined, via = proxy } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(
    `${via.origin}/api/targets/vm/file?path=${encodeURIComponent(path)}`,
    { headers: token ? { Authorization: `Bearer ${token}` } : {} },
  );
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('file look-up', () => {
  it('says a missing file does not exist', async () => {
    const path = join(images, 'new.qcow2');
    expect(await lookUp(path)).toEqual({ status: 200, body: { path, exists: false } });
  });

  it('reads a qcow2 image: its length, format and virtual size', async () => {
    const path = join(images, 'full.qcow2');
    const [info] = await imageChain(path);
    expect(info?.['virtual-size']).toBe(256 * MiB);
    const { size } = await stat(path);
    expect(size).toBeGreaterThan(3 * MiB);
    expect(await lookUp(path)).toEqual({
      status: 200,
      body: { path, exists: true, type: 'file', size, format: 'qcow2', virtualSize: 256 * MiB },
    });
  });

  it('reports a file without a known header as raw', async () => {
    const path = join(images, 'data.raw');
    expect(await lookUp(path)).toEqual({
      status: 200,
      body: { path, exists: true, type: 'file', size: MiB, format: 'raw' },
    });
  });

  it('reports a directory and a socket as what they are, without opening them', async () => {
    const sub = await lookUp(join(images, 'sub'));
    expect(sub).toMatchObject({ status: 200, body: { exists: true, type: 'directory' } });
    const socket = await lookUp(join(images, 'nbd.sock'));
    expect(socket).toMatchObject({ status: 200, body: { exists: true, type: 'other' } });
    expect(socket.body).not.toHaveProperty('format');
  });

  it('follows a link inside --allow-path, reporting what it points to', async () => {
    const path = join(images, 'same.qcow2');
    expect(await lookUp(path)).toMatchObject({
      status: 200,
      body: { path, exists: true, type: 'file', format: 'qcow2', virtualSize: 256 * MiB },
    });
  });

  it('refuses paths that are or lead outside --allow-path with 403, and audits it', async () => {
    for (const path of [
      join(outside, 'secret.qcow2'),
      join(images, '..', 'outside', 'secret.qcow2'),
      join(images, 'escape.qcow2'),
      join(images, 'dangling.qcow2'),
      '/etc/passwd',
    ]) {
      const answer = await lookUp(path);
      expect(answer.status, path).toBe(403);
      expect(answer.body.error).toBe(
        // the refusal names what is allowed (as real paths), so a better path can be chosen
        `path '${path}' is outside the directories allowed by --allow-path (allowed: ${realpathSync(images)}; absolute paths only)`,
      );
      expect(answer.body).not.toHaveProperty('exists');
    }
    const refusals = readFileSync(auditPath, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { outcome: string; error?: { class: string } });
    expect(refusals.filter((r) => r.error?.class === 'HTTP 403')).toHaveLength(5);
    // Answered look-ups are reads: not logged.
    expect(refusals.every((r) => r.outcome === 'refused')).toBe(true);
  });

  it('answers bad input with 400', async () => {
    for (const path of ['images/full.qcow2', `${images}/a\0b`, '', `/${'a'.repeat(4096)}`]) {
      const answer = await lookUp(path);
      expect(answer.status, JSON.stringify(path)).toBe(400);
      expect(typeof answer.body.error).toBe('string');
    }
    const twice = await fetch(
      `${proxy.origin}/api/targets/vm/file?path=${encodeURIComponent(images)}&path=/etc`,
      { headers: { Authorization: `Bearer ${proxy.token}` } },
    );
    expect(twice.status).toBe(400);
    const none = await fetch(`${proxy.origin}/api/targets/vm/file`, {
      headers: { Authorization: `Bearer ${proxy.token}` },
    });
    expect(none.status).toBe(400);
  });

  it('needs authentication; a viewer may look; the target must exist; only GET', async () => {
    const path = join(images, 'full.qcow2');
    expect(await lookUp(path, { token: null })).toEqual({
      status: 401,
      body: { error: 'not authenticated' },
    });
    expect(await lookUp(path, { token: 'not-the-token' })).toMatchObject({ status: 401 });
    expect(await lookUp(path, { token: proxy.viewerToken })).toMatchObject({
      status: 200,
      body: { format: 'qcow2' },
    });
    const unknown = await fetch(
      `${proxy.origin}/api/targets/other/file?path=${encodeURIComponent(path)}`,
      { headers: { Authorization: `Bearer ${proxy.token}` } },
    );
    expect(unknown.status).toBe(404);
    const post = await fetch(
      `${proxy.origin}/api/targets/vm/file?path=${encodeURIComponent(path)}`,
      { method: 'POST', headers: { Authorization: `Bearer ${proxy.token}` } },
    );
    expect(post.status).toBe(405);
  });

  it('refuses every path when no --allow-path is configured', async () => {
    const bare = await startProxy(proxyConfig([target]), { tokenStore: 'ephemeral' });
    try {
      const path = join(images, 'full.qcow2');
      const answer = await lookUp(path, { token: bare.token, via: bare });
      expect(answer.status).toBe(403);
      expect(answer.body.error).toMatch(/outside the directories allowed by --allow-path/);
      expect(answer.body.error).toMatch(/none is given, so no file can be named/);
    } finally {
      await bare.stop();
    }
  });
});
