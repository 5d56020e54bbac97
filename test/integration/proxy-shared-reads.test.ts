// Tabs do not multiply QEMU's load: identical concurrent reads from several sessions are answered
// by one command (proxy/shared-reads.ts), and every session hears the same NBD server record
// (proxy/nbd-server-record.ts). Real qemu-system behind a recording relay that counts what
// reaches QEMU; the relay holds the proxy's writes where the test needs reads to be concurrent.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Multiplexer } from '../../proxy/multiplexer.ts';
import type { ProxyHandle } from '../../proxy/server.ts';
import { startRecordingRelay, type RecordingRelay } from '../fake-qmp/recording-relay.ts';
import { startTestQemu, type TestQemu } from '../harness/qemu.ts';
import { proxyConfig, startTestProxy, WsQmp, type Message } from './proxy-helpers.ts';

const GiB = 1024 * 1024 * 1024;
let qemu: TestQemu;
let relay: RecordingRelay;
let proxy: ProxyHandle;
let mux: Multiplexer;

const config = () =>
  proxyConfig([{ name: 'vm', address: { type: 'unix', path: relay.path } }], {
    allowPaths: [qemu.dir],
  });

beforeAll(async () => {
  qemu = await startTestQemu({ args: ['-blockdev', `null-co,node-name=src,size=${GiB}`] });
  relay = await startRecordingRelay(join(qemu.dir, 'relay.sock'), qemu.qmpSocket);
  proxy = await startTestProxy(config());
  mux = proxy.multiplexers.get('vm')!;
});

afterAll(async () => {
  relay?.release();
  await proxy?.stop();
  await relay?.stop();
  await qemu?.stop();
});

/** Sends every command, then waits until the proxy has taken them all (QEMU is held). */
async function sendAll(pairs: [WsQmp, Message][]): Promise<Promise<Message>[]> {
  const before = mux.sessionCommands;
  const replies = pairs.map(([session, command]) => session.send(command));
  await vi.waitFor(() => expect(mux.sessionCommands).toBe(before + pairs.length));
  return replies;
}

const nodeNames = (reply: Message) =>
  (reply.return as { 'node-name': string }[]).map((n) => n['node-name']);

describe('shared reads against qemu-system', () => {
  it('answers one read from five sessions with one QEMU command, each with its own id', async () => {
    const sessions = await Promise.all([0, 1, 2, 3, 4].map(() => WsQmp.open(proxy, 'vm')));
    const pattern = /"query-named-block-nodes"/;
    const sentBefore = relay.linesMatching(pattern).length;
    const joinedBefore = mux.reads.joined;
    relay.hold();
    const replies = await sendAll(
      sessions.map((s, i): [WsQmp, Message] => [
        s,
        // The same arguments in another order are the same read.
        {
          execute: 'query-named-block-nodes',
          arguments: i % 2 ? { flat: true } : { flat: true },
          id: { tab: i },
        },
      ]),
    );
    relay.release();
    const answers = await Promise.all(replies);
    expect(answers.map((a) => a.id)).toEqual([0, 1, 2, 3, 4].map((i) => ({ tab: i })));
    for (const answer of answers) expect(nodeNames(answer)).toEqual(['src']);
    expect(relay.linesMatching(pattern).length - sentBefore).toBe(1);
    expect(mux.reads.joined - joinedBefore).toBe(4);
    for (const session of sessions) session.close();
  });

  it('sends reads with different arguments separately', async () => {
    // Not answered by the previous test's reply, still recent (shared-reads.ts RECENT_MS).
    mux.reads.barrier();
    const [a, b] = await Promise.all([WsQmp.open(proxy, 'vm'), WsQmp.open(proxy, 'vm')]);
    const pattern = /"query-named-block-nodes"/;
    const sentBefore = relay.linesMatching(pattern).length;
    relay.hold();
    const replies = await sendAll([
      [a, { execute: 'query-named-block-nodes', arguments: { flat: true }, id: 1 }],
      [b, { execute: 'query-named-block-nodes', arguments: { flat: false }, id: 1 }],
    ]);
    relay.release();
    await Promise.all(replies);
    expect(relay.linesMatching(pattern).length - sentBefore).toBe(2);
    a.close();
    b.close();
  });

  it('does not let a read after a mutating command join a read sent before it', async () => {
    // Not answered by the previous test's reply, still recent (shared-reads.ts RECENT_MS).
    mux.reads.barrier();
    const [a, b] = await Promise.all([WsQmp.open(proxy, 'vm'), WsQmp.open(proxy, 'vm')]);
    const pattern = /"query-named-block-nodes"/;
    const sentBefore = relay.linesMatching(pattern).length;
    relay.hold();
    const read = { execute: 'query-named-block-nodes', arguments: { flat: true } };
    const replies = await sendAll([
      [a, { ...read, id: 'before' }],
      [
        b,
        {
          execute: 'blockdev-add',
          arguments: { driver: 'null-co', 'node-name': 'added' },
          id: 'add',
        },
      ],
      [b, { ...read, id: 'after' }],
    ]);
    relay.release();
    const [before, added, after] = await Promise.all(replies);
    expect(added).toEqual({ return: {}, id: 'add' });
    // QEMU answers in order: the first read predates the node, the second sees it.
    expect(nodeNames(before!)).toEqual(['src']);
    expect(nodeNames(after!).sort()).toEqual(['added', 'src']);
    expect(relay.linesMatching(pattern).length - sentBefore).toBe(2);
    expect(
      await b.send({ execute: 'blockdev-del', arguments: { 'node-name': 'added' }, id: 'del' }),
    ).toEqual({
      return: {},
      id: 'del',
    });
    a.close();
    b.close();
  });
});

describe('the NBD server record', () => {
  const record = (session: WsQmp) =>
    session.events('X_BLOCKSCOPE_NBD_SERVER').at(-1)?.data as Message | undefined;
  const recordIs = (session: WsQmp, expected: Message) =>
    session.next(
      (m) =>
        m.event === 'X_BLOCKSCOPE_NBD_SERVER' &&
        JSON.stringify(m.data) === JSON.stringify(expected),
    );

  it('tells every session what any session did to the NBD server', async () => {
    const [a, b] = await Promise.all([WsQmp.open(proxy, 'vm'), WsQmp.open(proxy, 'vm')]);
    // Nothing seen yet: the server may run, started elsewhere.
    expect(record(a)).toEqual({ state: 'unknown', names: {} });
    const path = join(qemu.dir, 'nbd.sock');
    const started = await a.send({
      execute: 'nbd-server-start',
      arguments: { addr: { type: 'unix', data: { path } } },
      id: 1,
    });
    expect(started).toEqual({ return: {}, id: 1 });
    const running = { state: 'running', names: {}, address: { type: 'unix', path } };
    await recordIs(b, running);
    const exported = await a.send({
      execute: 'block-export-add',
      arguments: { type: 'nbd', id: 'e1', 'node-name': 'src', name: 'disk' },
      id: 2,
    });
    expect(exported).toEqual({ return: {}, id: 2 });
    await recordIs(b, { ...running, names: { e1: 'disk' } });
    // A session that joins later hears the record on negotiation.
    const c = await WsQmp.open(proxy, 'vm');
    expect(record(c)).toEqual({
      state: 'running',
      names: { e1: 'disk' },
      address: { type: 'unix', path },
    });
    // A second start fails in QEMU and changes nothing.
    const again = await b.send({
      execute: 'nbd-server-start',
      arguments: { addr: { type: 'unix', data: { path: join(qemu.dir, 'other.sock') } } },
      id: 3,
    });
    expect((again.error as Message).desc).toMatch(/NBD server already running/);
    expect(record(c)).toEqual({
      state: 'running',
      names: { e1: 'disk' },
      address: { type: 'unix', path },
    });

    // A new proxy has seen nothing, but the export it finds on connect says a server runs.
    await proxy.stop();
    proxy = await startTestProxy(config());
    mux = proxy.multiplexers.get('vm')!;
    const d = await WsQmp.open(proxy, 'vm');
    await recordIs(d, { state: 'running', names: {} });

    expect(await d.send({ execute: 'nbd-server-stop', id: 4 })).toEqual({ return: {}, id: 4 });
    const e = await WsQmp.open(proxy, 'vm');
    await recordIs(d, { state: 'stopped', names: {} });
    expect(record(e)).toEqual({ state: 'stopped', names: {} });
    d.close();
    e.close();
  });
});
