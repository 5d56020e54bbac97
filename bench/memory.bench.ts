// Proxy memory: resident set of the real `bin/blockscope serve` process with 0 (baseline), 1 and
// 50 open sessions, each having read the block graph once.
import { readdirSync, readFileSync } from 'node:fs';
import type { Served } from '../test/harness/blockscope.ts';
import { openSessions } from './proxy.bench.ts';
import { sleep } from './qmp-events.ts';
import type { BenchContext } from './report.ts';

/** The pid of this process's child whose command line contains `marker` (e.g. its --target). */
export function childPid(marker: string): number {
  for (const task of readdirSync(`/proc/${process.pid}/task`)) {
    const children = readFileSync(`/proc/${process.pid}/task/${task}/children`, 'utf8');
    for (const pid of children.split(' ').filter(Boolean)) {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmdline.includes(marker)) return Number(pid);
    }
  }
  throw new Error(`no child process with ${marker} in its command line`);
}

export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return Number(kb) / 1024;
}

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
