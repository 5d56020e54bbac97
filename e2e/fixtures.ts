// The e2e fixture: a real QEMU with the demo's block graph (from the shared harness) served by
// the real `bin/blockscope serve`, one per test file. Tests get the page URL with its token and a
// direct QMP connection to check effects outside the UI.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { test as base } from '@playwright/test';
import { buildDemoImages, demoQemuArgs } from '../proxy/demo-vm.ts';
import { startTestQemu, type TestQemu } from '../test/harness/qemu.ts';

export interface Served {
  /** The URL printed by the server, with `#token=…`. */
  url: string;
  origin: string;
  token: string;
  stop(): Promise<void>;
}

/** Starts `bin/blockscope <args>` on a free port and waits for its "Blockscope: URL" line. */
export async function startBlockscope(args: string[]): Promise<Served> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['bin/blockscope', ...args, '--listen', '127.0.0.1:0'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no URL from blockscope within 30 s: ${stderr}`)),
      30_000,
    );
    lines.on('line', (line) => {
      const match = /^Blockscope: (\S+)$/.exec(line);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`blockscope exited with ${code}: ${stderr}`));
    });
  });
  const parsed = new URL(url);
  return {
    url,
    origin: parsed.origin,
    token: new URLSearchParams(parsed.hash.slice(1)).get('token') ?? '',
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export const test = base.extend<object, { qemu: TestQemu; served: Served }>({
  qemu: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const qemu = await startTestQemu({ prepare: buildDemoImages, args: demoQemuArgs });
      await use(qemu);
      await qemu.stop();
    },
    { scope: 'worker' },
  ],
  served: [
    async ({ qemu }, use) => {
      const served = await startBlockscope(['serve', '--target', `demo=unix:${qemu.qmpSocket}`]);
      await use(served);
      await served.stop();
    },
    { scope: 'worker' },
  ],
});

export { expect } from '@playwright/test';
