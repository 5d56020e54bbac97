// QEMU killed with -9 and restarted on the same socket, again and again (SOAK_CYCLES, default 20),
// while 10 sessions keep reads and writes in flight. After every cycle: every command sent got
// exactly one reply (a result, or a Blockscope error saying why), none hung, and a write reported
// as outcome unknown is reconciled with a direct query. The sessions are never reopened: the
// same sockets live through every restart.
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startQemu, type RunningQemu } from '../../proxy/qemu/launch.ts';
import type { ProxyHandle } from '../../proxy/server.ts';
import { DirectQmp } from '../harness/direct-qmp.ts';
import { startTestQemu, type TestQemu } from '../harness/qemu.ts';
import { proxyConfig, startTestProxy, waitForState, WsQmp } from '../integration/proxy-helpers.ts';

const CYCLES = Number(process.env.SOAK_CYCLES ?? 20);
const SESSIONS = 10;
const SETTLED = new Set([
  'BlockscopeDisconnected',
  'BlockscopeOutcomeUnknown',
  'BlockscopeTimeout',
  'BlockscopeOverloaded',
]);

let first: TestQemu;
let current: RunningQemu | null = null;
let proxy: ProxyHandle;

beforeAll(async () => {
  first = await startTestQemu();
  proxy = await startTestProxy(
    proxyConfig([{ name: 'vm', address: { type: 'unix', path: first.qmpSocket } }]),
  );
});

afterAll(async () => {
  await proxy?.stop();
  await current?.stop();
  await first?.stop().catch(() => {});
});

describe('kill -9 and restart cycles under load', () => {
  it('settles every command once in every cycle, with the same sessions', async () => {
    const upstream = proxy.multiplexers.get('vm')!.upstream;
    const sessions = await Promise.all(
      Array.from({ length: SESSIONS }, () => WsQmp.open(proxy, 'vm')),
    );
    let pid = first.process.pid;
    let exited = first.process.exited;
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      // Stopped first, so commands are certainly sent and unanswered when the kill comes.
      process.kill(pid, 'SIGSTOP');
      // Commands in flight from every session, reads and writes, same ids in every session.
      const inFlight = sessions.flatMap((session, s) => [
        session.send({ execute: 'query-named-block-nodes', id: `c${cycle}-r` }),
        session.send({
          execute: 'blockdev-add',
          arguments: { driver: 'null-co', 'node-name': `n${cycle}-${s}`, size: 1 << 20 },
          id: `c${cycle}-w`,
        }),
      ]);
      while (upstream.pendingCount < 8) await new Promise((resolve) => setTimeout(resolve, 10));
      process.kill(pid, 'SIGKILL');
      await exited;
      const replies = await Promise.all(inFlight);
      const classes = replies.map((r) =>
        'error' in r ? (r.error as { class: string }).class : '',
      );
      expect(classes).toContain('BlockscopeOutcomeUnknown'); // writes were in flight
      for (const reply of replies) {
        if ('error' in reply) {
          expect(SETTLED.has((reply.error as { class: string }).class), JSON.stringify(reply)).toBe(
            true,
          );
        } else {
          expect(reply).toHaveProperty('return');
        }
      }
      await rm(first.qmpSocket, { force: true });
      await rm(first.directSocket, { force: true });
      current = await startQemu({
        kind: 'system',
        qmpSockets: [first.qmpSocket, first.directSocket],
        args: [],
      });
      pid = current.pid;
      exited = current.exited;
      await waitForState(upstream, 'connected');
      // The restarted QEMU is empty: whatever the proxy said about the writes, QEMU now has none.
      const direct = await DirectQmp.connect(first.directSocket);
      const nodes = await direct.execute<unknown[]>('query-named-block-nodes', { flat: true });
      direct.close();
      expect(nodes).toEqual([]);
      for (const session of sessions) {
        expect(
          await session.send({ execute: 'query-status', id: `c${cycle}-after` }),
        ).toMatchObject({ return: { status: 'prelaunch' } });
      }
    }
    // Exactly one reply per id per session, over all cycles.
    for (const session of sessions) {
      const ids = session.messages.filter((m) => 'id' in m).map((m) => JSON.stringify(m.id));
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.length).toBe(1 + CYCLES * 3); // negotiation + 3 per cycle
    }
  });
});
