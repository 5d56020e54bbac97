// Proxy memory: resident set of the real `bin/blockscope serve` process with 0 (baseline), 1 and
// 50 open sessions, each having read the block graph once; and of a fresh, idle server (compiled,
// as bin/blockscope runs it) beside the same sources run through the tsx loader, as it ran before.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBlockscope, type Served } from '../test/harness/blockscope.ts';
import { childPid, rssMiB } from './proc.ts';
import { openSessions } from './qmp-clients.ts';
import { sleep } from './qmp-events.ts';
import type { BenchContext } from './report.ts';

export async function benchProxyMemory(
  ctx: BenchContext,
  served: Served,
  target: string,
  marker: string,
): Promise<void> {
  const pid = childPid(marker);
  await sleep(500);
  const idle = rssMiB(pid);
  for (const count of [1, 50]) {
    const sessions = await openSessions(served, target, count);
    await Promise.all(
      sessions.map(
        (ws, i) =>
          new Promise<void>((resolve) => {
            ws.on('message', (data) => {
              if (String(data).includes(`"id":"mem${i}"`)) resolve();
            });
            ws.send(
              JSON.stringify({
                execute: 'query-named-block-nodes',
                arguments: { flat: true },
                id: `mem${i}`,
              }),
            );
          }),
      ),
    );
    await sleep(500);
    const rss = rssMiB(pid);
    ctx.add({
      key: `memory.proxy_rss_s${count}_mib`,
      label: `Memory: proxy RSS with ${count} open session(s)`,
      value: rss,
      unit: 'MiB',
      baseline: { label: 'no session', value: idle, unit: 'MiB' },
      ratio: rss / idle,
    });
    for (const ws of sessions) ws.close();
    await sleep(300);
  }
}

/** Waits (bounded) until the server's target is connected, so idle means "serving, at rest". */
async function connected(served: Served): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const response = await fetch(`${served.origin}/api/targets`, {
      headers: { Authorization: `Bearer ${served.token}` },
    });
    const targets = (await response.json()) as { state: string }[];
    if (targets.every((t) => t.state === 'connected')) return;
    await sleep(100);
  }
  throw new Error('the target did not connect within 10 s');
}

/** The proxy's sources run through tsx, the way bin/blockscope ran them before it was compiled. */
function tsxEntry(root: string): string[] {
  const code = `const { main } = await import(${JSON.stringify(join(root, 'proxy', 'main.ts'))});
process.exitCode = await main(process.argv.slice(1), { distDir: ${JSON.stringify(join(root, 'dist'))} });`;
  return ['--import', 'tsx', '--input-type=module', '-e', code];
}

export async function benchIdleRss(ctx: BenchContext, root: string, target: string): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'blockscope-bench-rss-'));
  const idle = async (entry?: string[]) => {
    const args = ['serve', '--target', target, '--token-file', join(dir, 'token')];
    const served = await startBlockscope(args, entry ? { entry, cwd: root } : {});
    try {
      await connected(served);
      await sleep(1000);
      return rssMiB(served.pid);
    } finally {
      await served.stop();
    }
  };
  try {
    const compiled = await idle();
    const tsx = await idle(tsxEntry(root));
    ctx.add({
      key: 'memory.proxy_rss_idle_mib',
      label: 'Memory: proxy RSS, fresh and idle (one target)',
      value: compiled,
      unit: 'MiB',
      baseline: { label: 'same sources through tsx', value: tsx, unit: 'MiB' },
      ratio: compiled / tsx,
      goal: '≤ 60 MiB',
      met: compiled <= 60,
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
