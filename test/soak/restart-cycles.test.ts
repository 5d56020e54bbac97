// QEMU killed with -9 and restarted on the same socket, again and again (SOAK_CYCLES, default 20),
// while 10 sessions each pipeline a write and 40 reads at once (far past their share of 8 pending:
// the proxy stops reading them rather than refusing). After every cycle: every command sent got
// exactly one reply (a result, or a Blockscope error saying why), none refused, none hung, and a
// write reported as outcome unknown is reconciled with a direct query. The sessions are never
// reopened: the same sockets live through every restart.
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startQemu, type RunningQemu } from '../../proxy/qemu/launch.ts';
import type { ProxyHandle } from '../../proxy/server.ts';
import { DirectQmp } from '../harness/direct-qmp.ts';
import { startTestQemu, type TestQemu } from '../harness/qemu.ts';
import { proxyConfig, startTestProxy, waitForState, WsQmp } from '../integration/proxy-helpers.ts';

const CYCLES = Number(process.env.SOAK_CYCLES ?? 20);
const SESSIONS = 10;
const READS = 40; // pipelined after each session's write, every cycle
const SETTLED = new Set([
  'BlockscopeDisconnected',
  'BlockscopeOutcomeUnknown',
  'BlockscopeTimeout',
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
    let refused = 0;
    let exited = first.process.exited;
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      // Stopped first, so commands are certainly sent and unanswered when the kill comes.
      process.kill(pid, 'SIGSTOP');
      // Commands in flight from every session, a write first and then reads, all written at once,
      // with the same ids in every session.
      const inFlight = sessions.flatMap((session, s) => [
        session.send({
          execute: 'blockdev-add',
          arguments: { driver: 'null-co', 'node-name': `n${cycle}-${s}`, size: 1 << 20 },
          id: `c${cycle}-w`,
        }),
        ...Array.from({ length: READS }, (_, r) =>
          session.send({ execute: 'query-named-block-nodes', id: `c${cycle}-r${r}` }),
        ),
      ]);
      while (upstream.pendingCount < 8) await new Promise((resolve) => setTimeout(resolve, 10));
      process.kill(pid, 'SIGKILL');
      await exited;
      const replies = await Promise.all(inFlight);
      const classes = replies.map((r) =>
        'error' in r ? (r.error as { class: string }).class : '',
      );
      expect(classes).toContain('BlockscopeOutcomeUnknown'); // writes were in flight
      refused += classes.filter((c) => c === 'BlockscopeOverloaded').length;
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
    // Exactly one reply per id per session, over all cycles: none lost, none repeated, and none of
    // another session's (they use the same ids, so a misrouted reply would be a second copy).
    let lost = 0;
    let misrouted = 0;
    const perSession = 1 + CYCLES * (READS + 2); // negotiation + (write, reads, check) per cycle
    for (const session of sessions) {
      const ids = session.messages.filter((m) => 'id' in m).map((m) => JSON.stringify(m.id));
      misrouted += ids.length - new Set(ids).size;
      lost += perSession - new Set(ids).size;
    }
    console.log(
      `restart cycles: ${CYCLES} cycles × ${SESSIONS} sessions × ${READS + 2} commands; refused ${refused}, lost ${lost}, misrouted ${misrouted}`,
    );
    expect({ refused, lost, misrouted }).toEqual({ refused: 0, lost: 0, misrouted: 0 });
  });
});
