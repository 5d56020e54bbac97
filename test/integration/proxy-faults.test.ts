// Faults a real QEMU will not produce on demand, from the scripted fake QMP server: a hung reply
// (timeout, then the late reply is dropped), an oversized reply and an oversized event, replies
// with unknown ids, an error without an id (the oldest command's answer), more than 8 commands at
// once, and a session over its pending limit.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startProxy, type ProxyHandle } from '../../proxy/server.ts';
import {
  startFakeQmp,
  type FakeConnection,
  type FakeQmp,
  type FakeScript,
} from '../fake-qmp/fake-qmp-server.ts';
import { makeTempDir } from '../harness/qemu.ts';
import { proxyConfig, startTestProxy, WsQmp, type Message } from './proxy-helpers.ts';

let fake: FakeQmp | undefined;
let proxy: ProxyHandle | undefined;
let dir: string | undefined;

afterEach(async () => {
  await proxy?.stop();
  await fake?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
  proxy = fake = dir = undefined;
});

async function setUp(script: FakeScript, options: Parameters<typeof startTestProxy>[1] = {}) {
  dir = await makeTempDir('blockscope-fake-');
  fake = await startFakeQmp(join(dir, 'fake.sock'), script);
  proxy = await startTestProxy(
    proxyConfig([{ name: 'fake', address: { type: 'unix', path: fake.path } }]),
    options,
  );
  const session = await WsQmp.open(proxy, 'fake');
  return { session, upstream: proxy.multiplexers.get('fake')!.upstream };
}

const replies = (session: WsQmp, id: unknown) =>
  session.messages.filter((m) => JSON.stringify(m.id) === JSON.stringify(id));

describe('upstream faults (fake QMP)', () => {
  it('times out a hung command and drops its late reply instead of handing it to the next one', async () => {
    const hung: { id: unknown; conn: FakeConnection }[] = [];
    const { session } = await setUp(
      (command, conn) => {
        if (command.execute === 'query-status') hung.push({ id: command.id, conn });
        else conn.reply(command.id, { qemu: { major: 7 } });
      },
      { upstream: { readTimeoutMs: 300 } },
    );
    expect(await session.send({ execute: 'query-status', id: 'h' })).toMatchObject({
      error: { class: 'BlockscopeTimeout' },
      id: 'h',
    });
    const [late] = hung;
    late!.conn.reply(late!.id, { status: 'late' });
    expect(await session.send({ execute: 'query-version', id: 'next' })).toEqual({
      return: { qemu: { major: 7 } },
      id: 'next',
    });
    expect(session.messages.some((m) => JSON.stringify(m).includes('late'))).toBe(false);
    expect(replies(session, 'h')).toHaveLength(1);
    expect(fake!.connections).toBe(1);
  });

  it('fails a command whose reply is over 10 MiB and keeps the connection', async () => {
    const { session } = await setUp((command, conn) => {
      if (command.execute === 'query-status') {
        conn.forget(command.id);
        const huge = 'x'.repeat(11 * 1024 * 1024);
        conn.raw(`{"return": "${huge}", "id": ${JSON.stringify(command.id)}}\r\n`);
      } else conn.reply(command.id, { ok: true });
    });
    expect(await session.send({ execute: 'query-status', id: 1 })).toMatchObject({
      error: { class: 'BlockscopeReplyTooLarge' },
      id: 1,
    });
    expect(await session.send({ execute: 'query-version', id: 2 })).toEqual({
      return: { ok: true },
      id: 2,
    });
    expect(fake!.connections).toBe(1);
  });

  it('drops replies with unknown ids', async () => {
    const { session, upstream } = await setUp((command, conn) => {
      conn.raw('{"return": {"stray": 1}, "id": "blockscope:999:1"}\r\n');
      conn.raw('{"return": {"stray": 2}, "id": 42}\r\n');
      conn.reply(command.id, { mine: true });
    });
    expect(await session.send({ execute: 'query-version', id: 42 })).toEqual({
      return: { mine: true },
      id: 42,
    });
    expect(upstream.unknownIdReplies).toBe(2);
    expect(session.messages.some((m) => JSON.stringify(m).includes('stray'))).toBe(false);
  });

  it('answers the oldest command in flight with an error without an id, and keeps the connection', async () => {
    // QEMU answers a line it cannot parse with an id-less error, in order (monitor/qmp.c).
    const held: { id: unknown; conn: FakeConnection }[] = [];
    const { session, upstream } = await setUp((command, conn) => {
      if (command.execute === 'query-status') {
        held.push({ id: command.id, conn });
        if (held.length < 2) return;
        // the first is "unreadable": its error carries no id; the second gets its own reply
        const [first, second] = held.splice(0);
        conn.forget(first!.id);
        conn.raw('{"error": {"class": "GenericError", "desc": "JSON parse error, x"}}\r\n');
        second!.conn.reply(second!.id, { status: 'running' });
      } else conn.reply(command.id, { fine: true });
    });
    session.ws.send(JSON.stringify({ execute: 'query-status', id: 'a' }));
    const b = session.send({ execute: 'query-status', id: 'b' });
    expect(await b).toEqual({ return: { status: 'running' }, id: 'b' });
    expect(replies(session, 'a')).toEqual([
      { error: { class: 'GenericError', desc: 'JSON parse error, x' }, id: 'a' },
    ]);
    expect(await session.send({ execute: 'query-version', id: 'v2' })).toEqual({
      return: { fine: true },
      id: 'v2',
    });
    expect(fake!.connections).toBe(1);
    expect(upstream.connections).toBe(1);
    expect(
      session.events('X_BLOCKSCOPE_TARGET_STATE').map((m) => (m.data as Message).state),
    ).toEqual(['connected']);
  });

  it('drops an oversized event without failing the command waiting for its reply', async () => {
    const { session, upstream } = await setUp((command, conn) => {
      if (command.execute === 'query-status') {
        const huge = 'x'.repeat(11 * 1024 * 1024);
        conn.raw(
          `{"timestamp": {"seconds": 1, "microseconds": 0}, "event": "BIG", "data": {"s": "${huge}"}}\r\n`,
        );
        conn.raw(`{"timestamp": {"seconds": 1, "microseconds": 0}, "event": "SMALL"}\r\n`);
      }
      conn.reply(command.id, { mine: true });
    });
    expect(await session.send({ execute: 'query-status', id: 's' })).toEqual({
      return: { mine: true },
      id: 's',
    });
    await session.next((m) => m.event === 'SMALL');
    expect(session.events('BIG')).toEqual([]);
    expect(upstream.oversizedEvents).toBe(1);
    expect(upstream.unknownIdReplies).toBe(0);
    expect(fake!.connections).toBe(1);
  });

  it('keeps at most 8 commands in flight to QEMU', async () => {
    const held: { id: unknown; conn: FakeConnection }[] = [];
    let seen = 0;
    const { session } = await setUp((command, conn) => {
      held.push({ id: command.id, conn });
      if (++seen === 20 || held.length === 8) {
        for (const h of held.splice(0)) h.conn.reply(h.id, { n: 1 });
      }
    });
    for (let i = 0; i < 20; i++)
      session.ws.send(JSON.stringify({ execute: 'query-status', id: i }));
    await session.next((m) => m.id === 19);
    expect(session.messages.filter((m) => 'return' in m && typeof m.id === 'number')).toHaveLength(
      20,
    );
    expect(fake!.maxOutstanding).toBe(8);
  });

  it('answers BlockscopeOverloaded past the per-session pending limit', async () => {
    const { session } = await setUp(() => {}, { session: { maxPending: 4 } });
    for (let i = 0; i < 6; i++) session.ws.send(JSON.stringify({ execute: 'query-status', id: i }));
    await session.next((m) => m.id === 5);
    const overloaded = session.messages.filter(
      (m) => (m.error as Message | undefined)?.class === 'BlockscopeOverloaded',
    );
    expect(overloaded.map((m) => m.id)).toEqual([4, 5]);
    expect(fake!.received.filter((c) => c.execute === 'query-status')).toHaveLength(4);
  });

  it('lets a session that arrives during negotiation wait for it instead of failing', async () => {
    dir = await makeTempDir('blockscope-fake-');
    fake = await startFakeQmp(
      join(dir, 'fake.sock'),
      (command, conn) => conn.reply(command.id, { served: true }),
      { schemaDelayMs: 300 },
    );
    proxy = await startProxy(
      proxyConfig([{ name: 'fake', address: { type: 'unix', path: fake.path } }]),
      { tokenStore: 'ephemeral' },
    );
    const upstream = proxy.multiplexers.get('fake')!.upstream;
    while (!upstream.greeting) await new Promise((resolve) => setTimeout(resolve, 10));
    const session = await WsQmp.open(proxy, 'fake');
    expect(upstream.currentState).toBe('negotiating');
    expect(await session.send({ execute: 'query-version', id: 1 })).toEqual({
      return: { served: true },
      id: 1,
    });
  });

  it('keeps a hung target from slowing another one', async () => {
    dir = await makeTempDir('blockscope-fake-');
    const hung = await startFakeQmp(join(dir, 'hung.sock'), () => {});
    fake = await startFakeQmp(join(dir, 'ok.sock'), (command, conn) =>
      conn.reply(command.id, { ok: true }),
    );
    try {
      proxy = await startTestProxy(
        proxyConfig([
          { name: 'hung', address: { type: 'unix', path: hung.path } },
          { name: 'ok', address: { type: 'unix', path: fake.path } },
        ]),
      );
      const stuck = await WsQmp.open(proxy, 'hung');
      const fine = await WsQmp.open(proxy, 'ok');
      for (let i = 0; i < 20; i++)
        stuck.ws.send(JSON.stringify({ execute: 'query-status', id: i }));
      for (let i = 0; i < 20; i++) {
        expect(await fine.send({ execute: 'query-status', id: i })).toEqual({
          return: { ok: true },
          id: i,
        });
      }
      expect(stuck.messages.filter((m) => typeof m.id === 'number')).toEqual([]);
    } finally {
      await proxy?.stop();
      proxy = undefined;
      await hung.stop();
    }
  });
});
