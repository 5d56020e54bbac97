// Faults a real QEMU will not produce on demand, from the scripted fake QMP server: a hung reply
// (timeout, then the late reply is dropped), an oversized reply and an oversized event, replies
// with unknown ids, an error without an id (the oldest command's answer), more than 8 commands at
// once, and a session past its share of pending commands (paused, not refused; replies in order).
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
import { proxyConfig, rawUpgrade, startTestProxy, WsQmp, type Message } from './proxy-helpers.ts';

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
    // Distinct arguments: two identical reads in flight would share one command (shared-reads.ts).
    session.ws.send(JSON.stringify({ execute: 'query-status', arguments: { n: 1 }, id: 'a' }));
    const b = session.send({ execute: 'query-status', arguments: { n: 2 }, id: 'b' });
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
    // Distinct arguments: identical reads in flight would share one command (shared-reads.ts).
    for (let i = 0; i < 20; i++)
      session.ws.send(JSON.stringify({ execute: 'query-status', arguments: { n: i }, id: i }));
    await session.next((m) => m.id === 19);
    expect(session.messages.filter((m) => 'return' in m && typeof m.id === 'number')).toHaveLength(
      20,
    );
    expect(fake!.maxOutstanding).toBe(8);
  });

  it('stops reading a session at its share instead of refusing: every pipelined command is answered', async () => {
    // QEMU's stand-in takes a moment per command, so unread commands would pile up at it.
    const { session } = await setUp(
      (command, conn) =>
        void setTimeout(() => conn.reply(command.id, { n: command.arguments?.n }), 2),
      { session: { maxPending: 4 } },
    );
    for (let i = 0; i < 100; i++)
      session.ws.send(JSON.stringify({ execute: 'query-status', arguments: { n: i }, id: i % 10 }));
    await session.next(
      (m) => m.id === 9 && session.messages.filter((r) => 'return' in r).length >= 101,
    );
    const replies = session.messages.filter((m) => 'id' in m && m.id !== '__neg');
    expect(replies).toEqual(
      Array.from({ length: 100 }, (_, i) => ({ return: { n: i }, id: i % 10 })),
    );
    // The session's share, not the proxy's 8 in flight, bounded what QEMU had at once.
    expect(fake!.maxOutstanding).toBe(4);
  });

  it("sends a session's replies in the order of its commands, refusals and parse errors included", async () => {
    const held: { id: unknown; conn: FakeConnection }[] = [];
    const { session } = await setUp((command, conn) => {
      if (command.execute === 'query-status') held.push({ id: command.id, conn });
      else conn.reply(command.id, { quick: true }); // answered before the held one: out of order
    });
    session.ws.send(JSON.stringify({ execute: 'query-status', id: 'same' }));
    session.ws.send(JSON.stringify({ execute: 'quit', id: 'same' }));
    session.ws.send('{"execute":');
    session.ws.send(JSON.stringify({ execute: 'query-version', id: 'same' }));
    while (!fake!.received.some((c) => c.execute === 'query-version'))
      await new Promise((resolve) => setTimeout(resolve, 10));
    held[0]!.conn.reply(held[0]!.id, { status: 'running' });
    await session.next((m) => (m.return as Message | undefined)?.quick === true);
    const replies = session.messages.filter(
      (m) => !('event' in m) && m.id !== '__neg' && !('QMP' in m),
    );
    expect(replies).toMatchObject([
      { return: { status: 'running' }, id: 'same' },
      { error: { class: 'BlockscopeDenied' }, id: 'same' },
      { error: { class: 'BlockscopeBadRequest' } },
      { return: { quick: true }, id: 'same' },
    ]);
    expect(replies[2]).not.toHaveProperty('id');
  });

  it('holds a script that pipelines before QEMU is there, and answers it in order once QEMU greets', async () => {
    dir = await makeTempDir('blockscope-fake-');
    const path = join(dir, 'later.sock');
    proxy = await startProxy(proxyConfig([{ name: 'fake', address: { type: 'unix', path } }]), {
      tokenStore: 'ephemeral',
      upstream: { minBackoffMs: 20, maxBackoffMs: 100 },
    });
    const session = await WsQmp.open(proxy, 'fake', { negotiate: false });
    session.ws.send(JSON.stringify({ execute: 'qmp_capabilities', id: 'neg' }));
    for (let i = 0; i < 200; i++)
      session.ws.send(JSON.stringify({ execute: 'query-status', arguments: { n: i }, id: 'same' }));
    // The frames have arrived, and wait with reading paused, before there is a QEMU to greet.
    const mux = proxy.multiplexers.get('fake')!;
    while (mux.flowTotals().paused === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(mux.upstream.greeting).toBeNull();
    fake = await startFakeQmp(path, (command, conn) =>
      conn.reply(command.id, { n: command.arguments?.n }),
    );
    await session.next((m) => (m.return as Message | undefined)?.n === 199);
    const replies = session.messages.filter((m) => 'id' in m);
    expect(replies).toEqual([
      { return: {}, id: 'neg' },
      ...Array.from({ length: 200 }, (_, i) => ({ return: { n: i }, id: 'same' })),
    ]);
  });

  it('counts a closed session against the target until QEMU has answered the commands it left queued', async () => {
    const held: { id: unknown; conn: FakeConnection }[] = [];
    const { session } = await setUp(
      (command, conn) => {
        if (command.execute === 'query-status') held.push({ id: command.id, conn });
        else conn.reply(command.id, {});
      },
      { session: { maxSessions: 1 } },
    );
    // 7, one short of the share: a paused session would not read the close frame until replies drain.
    // Distinct arguments: identical reads in flight would share one command (shared-reads.ts).
    for (let i = 0; i < 7; i++) {
      session.ws.send(JSON.stringify({ execute: 'query-status', arguments: { n: i }, id: i }));
    }
    while (held.length < 7) await new Promise((resolve) => setTimeout(resolve, 10));
    session.close();
    await session.closed;
    // Its commands are still queued, so the target has no room for another session's share.
    const bearer = { Authorization: `Bearer ${proxy!.token}` };
    expect(await rawUpgrade(proxy!.port, '/api/qmp/fake', bearer)).toBe(503);
    for (const h of held) h.conn.reply(h.id, { status: 'running' });
    const mux = proxy!.multiplexers.get('fake')!;
    while (mux.sessionCount > 0) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await rawUpgrade(proxy!.port, '/api/qmp/fake', bearer)).toBe(101);
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
