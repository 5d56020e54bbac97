// The command line: the startup line e2e/fixtures.ts parses, the token file `serve` creates, and
// configuration errors as one clear line with a non-zero exit.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startBlockscope } from '../harness/blockscope.ts';
import { startTestQemu, type TestQemu } from '../harness/qemu.ts';
import { blockscopeBin } from '../harness/server-build.ts';
let qemu: TestQemu | undefined;
let config: string | undefined;
afterAll(async () => {
  await qemu?.stop();
  if (config) await rm(config, { recursive: true, force: true });
});

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [blockscopeBin(), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += String(chunk)));
    child.stderr.on('data', (chunk: Buffer) => (stderr += String(chunk)));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('bin/blockscope', () => {
  it('reports configuration errors as one line and a non-zero exit', async () => {
    const cases = [
      ['serve'],
      ['serve', '--target', 'vm=unix:/x', '--expose', '/tmp,role=admin'],
      ['serve', '--target', 'vm=unix:/x', '--listen', '0.0.0.0:7780'],
      [
        'serve',
        '--target',
        'vm=unix:/x',
        '--allow-path',
        '/no/such/dir',
        '--listen',
        '127.0.0.1:0',
      ],
    ];
    for (const result of await Promise.all(cases.map(run))) {
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^blockscope: [^\n]+\n$/);
      expect(result.stdout).toBe('');
    }
  });

  it('documents every flag in --help', async () => {
    const result = await run(['serve', '--help']);
    expect(result.code).toBe(0);
    for (const flag of [
      '--target',
      '--listen',
      '--token-file',
      '--viewer-token-file',
      '--audit-log',
      '--allow-path',
      '--allow-command',
      '--allow-remote-nbd',
      '--allow-host',
      '--tls-cert',
      '--qapi-docs',
      '--qmp-manual',
      '--expose',
    ]) {
      expect(result.stdout).toContain(flag);
    }
  });

  it('serves, prints the URL line with a stored 0600 token, and stops on SIGTERM', async () => {
    qemu = await startTestQemu();
    config = await mkdtemp(join(tmpdir(), 'blockscope-config-'));
    const saved = process.env.XDG_CONFIG_HOME;
    process.env.XDG_CONFIG_HOME = config;
    const served = await startBlockscope(['serve', '--target', `vm=unix:${qemu.qmpSocket}`]);
    if (saved === undefined) delete process.env.XDG_CONFIG_HOME;
    else process.env.XDG_CONFIG_HOME = saved;
    try {
      expect(served.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]{43}$/);
      const file = join(config, 'blockscope', 'token');
      expect((await readFile(file, 'utf8')).trim()).toBe(served.token);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      const health = await fetch(`${served.origin}/api/health`);
      expect(await health.json()).toEqual({ ok: true });
    } finally {
      await served.stop();
    }
  });
});
