// Browser-side limits, against the fake QMP server: a peer that stops answering pings is dropped,
// a peer that stops reading is cut off, one that reads slowly is answered in full, the number of
// sessions per target is capped, and none of it disturbs the other sessions.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { ProxyHandle, ProxyOptions } from '../../proxy/server.ts';
import { startFakeQmp, type FakeQmp } from '../fake-qmp/fake-qmp-server.ts';
import { makeTempDir } from '../harness/qemu.ts';
import { proxyConfig, rawUpgrade, startTestProxy, WsQmp } from './proxy-helpers.ts';

let fake: FakeQmp | undefined;
let proxy: ProxyHandle | undefined;
let dir: string | undefined;

afterEach(async () => {
  await proxy?.stop();
  await fake?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
  proxy = fake = dir = undefined;
});

/** The TCP socket under a ws client (ws keeps it as `_socket`): pausing it stops reading. */
function tcpOf(ws: WebSocket): { pause(): void; resume(): void } {
  return (ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
}

async function setUp(session: ProxyOptions['session']) {
  dir = await makeTempDir('blockscope-fake-');
  const big = 'y'.repeat(512 * 1024);
  fake = await startFakeQmp(join(dir, 'fake.sock'), (command, conn) =>
    conn.reply(command.id, command.execute === 'query-status' ? { big } : { small: true }),
  );
  proxy = await startTestProxy(
    proxyConfig([{ name: 'fake', address: { type: 'unix', path: fake.path } }]),
    { session },
  );
  return proxy.multiplexers.get('fake')!;
}

describe('session limits', () => {
  it('drops a peer that does not answer pings', async () => {
    const mux = await setUp({ heartbeatMs: 100 });
    const ws = new WebSocket(`ws://127.0.0.1:${proxy!.port}/api/qmp/fake`, {
      headers: { Authorization: `Bearer ${proxy!.token}` },
      autoPong: false,
    });
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    const healthy = await WsQmp.open(proxy!, 'fake');
    expect(await closed).toBe(1006); // terminated, no close frame
    while (mux.sessionCount > 1) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await healthy.send({ execute: 'query-version', id: 1 })).toEqual({
      return: { small: true },
      id: 1,
    });
  });

  it('cuts off a peer that stops reading: its send buffer takes nothing for a whole interval', async () => {
    const mux = await setUp({ maxBufferedBytes: 1024 * 1024, stallMs: 300 });
    const slow = await WsQmp.open(proxy!, 'fake');
    const fast = await WsQmp.open(proxy!, 'fake');
    // Stop reading at the TCP level: replies pile up in the proxy's send buffer.
    tcpOf(slow.ws).pause();
    for (let i = 0; i < 40; i++) slow.ws.send(JSON.stringify({ execute: 'query-status', id: i }));
    while (mux.sessionCount > 1) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await fast.send({ execute: 'query-version', id: 'f' })).toEqual({
      return: { small: true },
      id: 'f',
    });
  });

  it('answers a peer that reads slowly in full: 40 replies of 512 KiB pipelined, each in order', async () => {
    // A buffer limit of 1 MiB, smaller than what 40 such replies take: the session waits for the
    // peer to read rather than cutting it off.
    const mux = await setUp({ maxBufferedBytes: 1024 * 1024, stallMs: 1_000 });
    const slow = await WsQmp.open(proxy!, 'fake');
    const tcp = tcpOf(slow.ws);
    const count = 40;
    for (let i = 0; i < count; i++)
      slow.ws.send(JSON.stringify({ execute: 'query-status', id: i }));
    // Reads in bursts: 50 ms of reading, 150 ms of none, until every reply is in.
    const replies = () => slow.messages.filter((m) => 'return' in m && typeof m.id === 'number');
    while (replies().length < count && slow.ws.readyState === slow.ws.OPEN) {
      tcp.pause();
      await new Promise((resolve) => setTimeout(resolve, 150));
      tcp.resume();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(slow.ws.readyState).toBe(slow.ws.OPEN);
    expect(replies().map((m) => m.id)).toEqual([...Array(count).keys()]);
    expect(mux.sessionCount).toBe(1);
  });

  it('caps the sessions of one target', async () => {
    await setUp({ maxSessions: 2 });
    const a = await WsQmp.open(proxy!, 'fake');
    await WsQmp.open(proxy!, 'fake');
    const bearer = { Authorization: `Bearer ${proxy!.token}` };
    expect(await rawUpgrade(proxy!.port, '/api/qmp/fake', bearer)).toBe(503);
    a.close();
    await a.closed;
    while (proxy!.multiplexers.get('fake')!.sessionCount > 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(await rawUpgrade(proxy!.port, '/api/qmp/fake', bearer)).toBe(101);
  });
});
