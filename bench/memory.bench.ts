// Proxy memory: resident set of the real `bin/blockscope serve` process with 0 (baseline), 1 and
// 50 open sessions, each having read the block graph once.
import type { Served } from '../test/harness/blockscope.ts';
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
