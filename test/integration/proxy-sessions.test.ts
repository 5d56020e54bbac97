// Browser-side limits, against the fake QMP server: a peer that stops answering pings is dropped,
// a peer that stops reading is cut off once its send buffer passes the limit, the number of
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

  it('cuts off a peer that stops reading once its buffer passes the limit', async () => {
    const mux = await setUp({ maxBufferedBytes: 1024 * 1024 });
    const slow = await WsQmp.open(proxy!, 'fake');
    const fast = await WsQmp.open(proxy!, 'fake');
    // Stop reading at the TCP level: replies pile up in the proxy's send buffer.
    (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    for (let i = 0; i < 40; i++) slow.ws.send(JSON.stringify({ execute: 'query-status', id: i }));
    while (mux.sessionCount > 1) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await fast.send({ execute: 'query-version', id: 'f' })).toEqual({
      return: { small: true },
      id: 'f',
    });
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
