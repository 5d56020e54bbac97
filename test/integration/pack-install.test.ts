// Install on a host: `npm pack` (which builds through prepack), the tarball installed with
// `npm install -g` into a temporary prefix, and that copy serving a real QEMU from a directory
// that is not the checkout. The installed tree holds the runtime dependencies (ws, prom-client and
// what prom-client pulls in) and nothing of TypeScript, and the
// shipped systemd unit passes `systemd-analyze verify` against the installed command.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { brotliDecompressSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBlockscope, type Served } from '../harness/blockscope.ts';
import { startTestQemu, type TestQemu } from '../harness/qemu.ts';

const run = promisify(execFile);
const repo = join(import.meta.dirname, '..', '..');
let work: string;
let prefix: string;
let installed: string;
let qemu: TestQemu | undefined;
let served: Served | undefined;

/**
 * This environment without what the test run adds: an outer `npm test`'s npm_* variables (its
 * prefix, …), and Vitest's NODE_ENV=test, under which Vite would build React for development.
 */
function env(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(npm_|VITEST|NODE_ENV$)/i.test(name)),
  );
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'blockscope-pack-'));
  prefix = join(work, 'prefix');
  const packed = await run('npm', ['pack', '--silent', '--pack-destination', work], {
    cwd: repo,
    env: env(),
    timeout: 180_000,
  });
  const tarball = join(work, packed.stdout.trim().split('\n').pop()!);
  await run(
    'npm',
    ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', tarball],
    { cwd: work, env: env(), timeout: 120_000 },
  );
  installed = join(prefix, 'lib', 'node_modules', 'blockscope');
}, 300_000);

afterAll(async () => {
  await served?.stop();
  await qemu?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)));
}

function get(url: string, headers: Record<string, string>) {
  return new Promise<{ status: number; encoding?: string; body: Buffer }>((resolve, reject) => {
    request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          encoding: res.headers['content-encoding'],
          body: Buffer.concat(chunks),
        }),
      );
    })
      .on('error', reject)
      .end();
  });
}

describe('npm pack, npm install -g, blockscope serve', () => {
  it('installs the built page and compiled server, with ws and prom-client as the only modules and no TypeScript', () => {
    const files = filesUnder(installed).filter((f) => !f.startsWith('node_modules'));
    expect(files).toContain('dist/index.html');
    expect(files).toContain('dist/static-manifest.json');
    expect(files).toContain('dist-server/proxy/main.js');
    expect(files).toContain('deploy/blockscope.service');
    expect(files.filter((f) => f.endsWith('.ts'))).toEqual([]);
    expect(files.some((f) => f.startsWith('dist/assets/') && f.endsWith('.js.br'))).toBe(true);
    // ws, and prom-client with its own dependencies (@opentelemetry/api, tdigest → bintrees).
    const modules = readdirSync(join(installed, 'node_modules')).filter((n) => !n.startsWith('.'));
    expect(modules.sort()).toEqual(['@opentelemetry', 'bintrees', 'prom-client', 'tdigest', 'ws']);
    expect(readdirSync(join(installed, 'node_modules', '@opentelemetry'))).toEqual(['api']);
    for (const tooling of ['tsx', 'typescript', 'esbuild', 'vite']) {
      expect(existsSync(join(installed, 'node_modules', tooling))).toBe(false);
      expect(existsSync(join(prefix, 'lib', 'node_modules', tooling))).toBe(false);
    }
  });

  it('imports nothing at run time but Node, ws, prom-client and its own files', async () => {
    const specifiers = new Set<string>();
    for (const file of filesUnder(join(installed, 'dist-server')).filter((f) =>
      f.endsWith('.js'),
    )) {
      const text = await readFile(join(installed, 'dist-server', file), 'utf8');
      for (const match of text.matchAll(/(?:\bfrom|\bimport\s*\(?)\s*["']([^"']+)["']/g)) {
        specifiers.add(match[1]!);
      }
    }
    const outside = [...specifiers].filter(
      (s) =>
        !s.startsWith('node:') &&
        !s.startsWith('./') &&
        !s.startsWith('../') &&
        s !== 'ws' &&
        s !== 'prom-client',
    );
    expect(outside).toEqual([]);
    expect([...specifiers].filter((s) => s.endsWith('.ts'))).toEqual([]);
    expect(specifiers.has('ws')).toBe(true);
    expect(specifiers.has('prom-client')).toBe(true);
  });

  it('runs --help from the installed command in a directory that is not the checkout', async () => {
    const help = await run(process.execPath, [join(prefix, 'bin', 'blockscope'), '--help'], {
      cwd: work,
      env: env(),
    });
    expect(help.stdout).toMatch(/^Usage: blockscope <command>/);
    expect(help.stdout).toContain('--target NAME=unix:PATH');
  });

  it('serves a real QEMU: health, targets, metrics and the page with brotli', async () => {
    qemu = await startTestQemu();
    served = await startBlockscope(
      ['serve', '--target', `vm=unix:${qemu.qmpSocket}`, '--token-file', join(work, 'token')],
      { entry: [join(prefix, 'bin', 'blockscope')], cwd: work, env: env() },
    );
    const health = await fetch(`${served.origin}/api/health`);
    expect(await health.json()).toEqual({ ok: true });

    const auth = { Authorization: `Bearer ${served.token}` };
    let targets: { name: string; state: string; version?: string }[] = [];
    for (let i = 0; i < 100 && targets[0]?.state !== 'connected'; i++) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, 100));
      targets = (await (
        await fetch(`${served.origin}/api/targets`, { headers: auth })
      ).json()) as [];
    }
    const version = await qemu.direct.execute<{ qemu: { major: number; minor: number } }>(
      'query-version',
    );
    expect(targets).toEqual([
      expect.objectContaining({
        name: 'vm',
        state: 'connected',
        version: expect.stringMatching(
          new RegExp(`^${version.qemu.major}\\.${version.qemu.minor}\\.`),
        ),
      }),
    ]);

    // prom-client loads from the installed tree: /metrics answers in the Prometheus format.
    const metrics = await fetch(`${served.origin}/metrics`, { headers: auth });
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/^blockscope_target_up\{target="vm"\} 1$/m);

    const page = await get(`${served.origin}/`, {});
    expect(page.status).toBe(200);
    const html = page.body.toString();
    expect(html).toEqual(await readFile(join(installed, 'dist', 'index.html'), 'utf8'));
    const script = /<script[^>]+src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const js = await get(`${served.origin}${script}`, { 'Accept-Encoding': 'gzip, br' });
    expect(js.status).toBe(200);
    expect(js.encoding).toBe('br');
    expect(
      brotliDecompressSync(js.body).equals(await readFile(join(installed, 'dist', script!))),
    ).toBe(true);
  });

  it('ships a systemd unit that systemd-analyze verify accepts for the installed command', async () => {
    const unit = join(work, 'blockscope.service');
    const text = await readFile(join(installed, 'deploy', 'blockscope.service'), 'utf8');
    expect(text).toContain('ExecStart=/usr/local/bin/blockscope serve');
    // Pointed at this prefix's command, the one `npm install -g` made (/usr/local on a host).
    await writeFile(
      unit,
      text.replaceAll('/usr/local/bin/blockscope', join(prefix, 'bin', 'blockscope')),
    );
    const result = await run('systemd-analyze', ['verify', unit], { env: env() });
    // verify exits 0 on unknown keys too; any remark about the file counts as a failure.
    expect(result.stderr).toBe('');
    // The example configuration the unit reads ships beside it.
    expect(await readFile(join(installed, 'deploy', 'blockscope.env'), 'utf8')).toMatch(
      /^BLOCKSCOPE_ARGS=--target /m,
    );
  });
});
