// --expose against a real qemu-system: plain QMP sockets that tools use exactly as QEMU's own,
// served over the proxy's one connection to QEMU (behind a recording relay) beside a page's
// WebSocket session. Checked byte for byte against a monitor of the same QEMU.
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProxyHandle } from '../../proxy/server.ts';
import { startRecordingRelay, type RecordingRelay } from '../fake-qmp/recording-relay.ts';
import { startTestQemu, type TestQemu } from '../harness/qemu.ts';
import { PlainQmp, type Message } from './plain-qmp-client.ts';
import { proxyConfig, startTestProxy, WsQmp } from './proxy-helpers.ts';

const run = promisify(execFile);
const MiB = 1024 * 1024;
let qemu: TestQemu;
let relay: RecordingRelay;
let proxy: ProxyHandle;
let dir: string;
let operatorSocket: string;
let viewerSocket: string;
let auditLog: string;

beforeAll(async () => {
  qemu = await startTestQemu({
    extraMonitors: 1,
    args: [
      '-blockdev',
      `null-co,node-name=src,size=${64 * MiB}`,
      '-blockdev',
      `null-co,node-name=dst,size=${64 * MiB}`,
      '-blockdev',
      `null-co,node-name=slow-src,size=${1024 * MiB}`,
      '-blockdev',
      `null-co,node-name=slow-dst,size=${1024 * MiB}`,
      '-device',
      'virtio-blk-pci,drive=src,id=vda',
    ],
  });
  relay = await startRecordingRelay(join(qemu.dir, 'relay.sock'), qemu.qmpSocket);
  dir = await mkdtemp(join(tmpdir(), 'blockscope-expose-'));
  const { mkdir } = await import('node:fs/promises');
  await mkdir(join(dir, 'op'));
  await mkdir(join(dir, 'view'));
  auditLog = join(dir, 'audit.log');
  proxy = await startTestProxy(
    proxyConfig([{ name: 'vm', address: { type: 'unix', path: relay.path } }], {
      viewerTokenFile: join(dir, 'viewer-token'),
      auditLog,
      expose: [
        { dir: join(dir, 'op'), role: 'operator' },
        { dir: join(dir, 'view'), role: 'viewer' },
      ],
    }),
    // A client whose unsent replies go untaken this long is cut off (5 s by default).
    { session: { stallMs: 300 } },
  );
  operatorSocket = join(dir, 'op', 'vm.qmp');
  viewerSocket = join(dir, 'view', 'vm.qmp');
});

afterAll(async () => {
  await proxy?.stop();
  await relay?.stop();
  await qemu?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A plain client on QEMU's own spare monitor, for the bytes QEMU itself writes. */
const qemuItself = () => PlainQmp.open(qemu.extraSockets[0]!, { negotiate: false });

/** `socat` as a shell client: stdin and stdout piped, one JSON line per message. */
function socatClient(path: string) {
  const child = spawn('socat', ['-', `UNIX-CONNECT:${path}`], { stdio: ['pipe', 'pipe', 'pipe'] });
  const messages: Message[] = [];
  let partial = '';
  const waiters: { match: (m: Message) => boolean; resolve: (m: Message) => void }[] = [];
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    partial += chunk;
    let nl: number;
    while ((nl = partial.indexOf('\n')) >= 0) {
      const message = JSON.parse(partial.slice(0, nl)) as Message;
      partial = partial.slice(nl + 1);
      messages.push(message);
      for (const w of waiters.splice(0)) {
        if (w.match(message)) w.resolve(message);
        else waiters.push(w);
      }
    }
  });
  const next = (match: (m: Message) => boolean) =>
    messages.find(match) ??
    new Promise<Message>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('socat client: timed out')), 20_000);
      waiters.push({
        match,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  return {
    messages,
    next,
    write: (command: Message) => child.stdin.write(JSON.stringify(command) + '\n'),
    close: () => child.kill(),
  };
}

describe('an exposed socket speaks QMP as QEMU does', () => {
  it("greets with QEMU's version, refuses commands before negotiation and oob with QEMU's errors, and answers in QEMU's bytes", async () => {
    const own = await qemuItself();
    const mine = await PlainQmp.open(operatorSocket, { negotiate: false });
    const [ownGreeting, myGreeting] = await Promise.all(
      [own, mine].map((c) => c.next((m) => 'QMP' in m)),
    );
    // QEMU's socket monitor offers oob (it runs in QEMU's I/O thread); the proxy cannot honour it.
    expect((ownGreeting!.QMP as Message).capabilities).toEqual(['oob']);
    expect(mine.lineOf(myGreeting!)).toBe(
      own.lineOf(ownGreeting!).replace('"capabilities": ["oob"]', '"capabilities": []'),
    );
    const before = await mine.send({ execute: 'query-status', id: 1 });
    expect(mine.lineOf(before)).toBe(
      `{"id": 1, "error": {"class": "CommandNotFound", "desc": "Expecting capabilities negotiation with 'qmp_capabilities'"}}`,
    );
    const oob = await mine.send({
      execute: 'qmp_capabilities',
      arguments: { enable: ['oob'] },
      id: 2,
    });
    expect(oob).toEqual({
      id: 2,
      error: { class: 'GenericError', desc: 'Capability oob not available' },
    });
    // Still not negotiated, as on QEMU after a refused qmp_capabilities.
    expect((await mine.send({ execute: 'query-status', id: 3 })).error).toMatchObject({
      class: 'CommandNotFound',
    });
    expect(await mine.send({ execute: 'qmp_capabilities', id: 4 })).toEqual({ return: {}, id: 4 });
    const again = await mine.send({ execute: 'qmp_capabilities', id: 5 });
    expect(mine.lineOf(again)).toBe(
      '{"id": 5, "error": {"class": "CommandNotFound", "desc": "Capabilities negotiation is already complete, command ignored"}}',
    );
    // exec-oob: QEMU's answer while oob is not enabled (seen on QEMU's own monitor before it is).
    const ownOob = await own.send({ 'exec-oob': 'query-status', id: 6 });
    const myOob = await mine.send({ 'exec-oob': 'query-status', id: 6 });
    expect(mine.lineOf(myOob)).toBe(own.lineOf(ownOob));

    await own.send({ execute: 'qmp_capabilities', id: 0 });
    // Any id comes back as given; replies are QEMU's text to the byte.
    for (const [command, id] of [
      ['query-block', { a: [1, 'é', null] }],
      ['query-version', 'v/1'],
      ['query-named-block-nodes', 7.5],
      ['query-status', null],
      ['nonexistent-command', [true]],
      // The largest reply there is, answered from the proxy's copy: still QEMU's bytes.
      ['query-qmp-schema', 's'],
    ] as const) {
      const ownReply = await own.send({ execute: command, id });
      const myReply = await mine.send({ execute: command, id });
      expect(mine.lineOf(myReply)).toBe(own.lineOf(ownReply));
    }
    // Several commands in one write, one command over several lines, and one with no newline.
    mine.socket.write('{"execute":"query-name","id":"x"}{"execute":"query-status",\n"id":\n"y"}');
    mine.socket.write('{"execute":"query-version","id":"z"}');
    await mine.next((m) => m.id === 'z');
    expect(mine.messages.slice(-3).map((m) => m.id)).toEqual(['x', 'y', 'z']);
    // The proxy's own events and commands do not exist here, as on QEMU's socket.
    const proxyCommand = await mine.send({
      execute: 'x-blockscope-watch-blockstats',
      arguments: { enable: true },
      id: 8,
    });
    expect(proxyCommand.error).toMatchObject({ class: 'CommandNotFound' });
    expect(mine.events().filter((e) => String(e.event).startsWith('X_BLOCKSCOPE_'))).toEqual([]);
    own.close();
    mine.close();
  });

  it('is created 0600 in the --expose directory', async () => {
    expect((await stat(operatorSocket)).mode & 0o777).toBe(0o600);
    expect((await stat(viewerSocket)).isSocket()).toBe(true);
    expect(proxy.exposedSockets().sort()).toEqual([operatorSocket, viewerSocket].sort());
  });
});

describe('one QEMU monitor, many tools', () => {
  it('serves three socket clients (two in Node, one socat) and a page at once: own replies to each, events to all', async () => {
    const connectionsBefore = relay.connections;
    const [a, b] = await Promise.all([
      PlainQmp.open(operatorSocket),
      PlainQmp.open(operatorSocket),
    ]);
    const c = socatClient(operatorSocket);
    await c.next((m) => 'QMP' in m);
    c.write({ execute: 'qmp_capabilities', id: 'neg' });
    await c.next((m) => m.id === 'neg');
    const page = await WsQmp.open(proxy, 'vm');
    const ids = [1, 'a', null, { x: [1] }];
    const commands = ['query-version', 'query-status', 'query-block', 'query-named-block-nodes'];
    // Each client sends all its commands, with the same ids, before reading any reply.
    for (const id of ids) {
      a.socket.write(JSON.stringify({ execute: commands[0], id }));
      b.socket.write(JSON.stringify({ execute: commands[1], id }) + '\n');
      c.write({ execute: commands[2], id });
      page.ws.send(JSON.stringify({ execute: commands[3], id }));
    }
    const replies = async (list: () => Message[], last: Promise<Message> | Message) => {
      await last;
      return list().filter((m) => 'return' in m && m.id !== '__neg' && m.id !== 'neg');
    };
    const lastId = (m: Message) => JSON.stringify(m.id) === JSON.stringify(ids.at(-1));
    const [ra, rb, rc, rp] = await Promise.all([
      replies(() => a.messages, a.next(lastId)),
      replies(() => b.messages, b.next(lastId)),
      replies(() => c.messages, c.next(lastId)),
      replies(() => page.messages, page.next(lastId)),
    ]);
    for (const list of [ra, rb, rc, rp]) expect(list.map((m) => m.id)).toEqual(ids);
    for (const m of ra!) expect(m.return).toHaveProperty('qemu.major');
    for (const m of rb!) expect(m.return).toHaveProperty('status', 'prelaunch');
    for (const m of rc!) expect((m.return as Message[])[0]).toHaveProperty('qdev');
    for (const m of rp!) expect((m.return as unknown[]).length).toBe(4);

    // A job started by one client is heard by all, and cancelled from the socat client.
    expect(
      await a.send({
        execute: 'blockdev-mirror',
        arguments: {
          'job-id': 'shared',
          device: 'slow-src',
          target: 'slow-dst',
          sync: 'full',
          speed: MiB,
        },
        id: 'm',
      }),
    ).toEqual({ return: {}, id: 'm' });
    const running = (m: Message) =>
      m.event === 'JOB_STATUS_CHANGE' && (m.data as Message).status === 'running';
    await Promise.all([a.next(running), b.next(running), c.next(running), page.next(running)]);
    c.write({ execute: 'job-cancel', arguments: { id: 'shared' }, id: 'cancel' });
    expect(await c.next((m) => m.id === 'cancel')).toEqual({ return: {}, id: 'cancel' });
    const cancelled = (m: Message) => m.event === 'BLOCK_JOB_CANCELLED';
    const heard = await Promise.all([
      a.next(cancelled),
      b.next(cancelled),
      c.next(cancelled),
      page.next(cancelled),
    ]);
    for (const event of heard) expect(event.data).toMatchObject({ device: 'shared' });
    // The page hears the proxy's own events; the sockets only QEMU's.
    expect(page.events('X_BLOCKSCOPE_JOBS').length).toBeGreaterThan(0);
    for (const list of [a.messages, b.messages, c.messages]) {
      expect(list.filter((m) => String(m.event ?? '').startsWith('X_BLOCKSCOPE_'))).toEqual([]);
    }
    // All of it over the proxy's one connection, with the proxy's ids only.
    expect(relay.connections).toBe(connectionsBefore);
    for (const line of relay.linesMatching(/query-(version|status|block|named-block-nodes)"/)) {
      expect(JSON.parse(line).id).toMatch(/^blockscope:\d+:\d+$/);
    }
    a.close();
    b.close();
    c.close();
    page.close();
  });

  it('answers a pipelined burst of 1,000 commands from one client, in order', async () => {
    const client = await PlainQmp.open(operatorSocket);
    const burst = Array.from({ length: 1000 }, (_, i) => {
      const command = ['query-status', 'query-version', 'query-block', 'quit'][i % 4];
      return JSON.stringify({ execute: command, id: i });
    });
    // Watch the session's flow control between turns of the event loop while the burst is answered.
    const mux = proxy.multiplexers.get('vm')!;
    let mostPending = 0;
    let pausedTurns = 0;
    let done = false;
    const sample = () => {
      const totals = mux.flowTotals();
      mostPending = Math.max(mostPending, totals.maxPending);
      if (totals.paused > 0) pausedTurns++;
      if (!done) setImmediate(sample);
    };
    sample();
    client.socket.write(burst.join('\n') + '\n');
    await client.next((m) => m.id === 999, 60_000);
    done = true;
    const replies = client.messages.filter((m) => typeof m.id === 'number');
    expect(replies.map((m) => m.id)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    for (const [i, reply] of replies.entries()) {
      if (i % 4 === 3) expect(reply.error).toMatchObject({ class: 'BlockscopeDenied' });
      else expect(reply).toHaveProperty('return');
    }
    // Back-pressure, not buffering: the session stopped reading at its share, and resumed.
    expect(mostPending).toBe(8);
    expect(pausedTurns).toBeGreaterThan(0);
    client.close();
  });

  it('refuses a write on a viewer socket with the error a viewer page gets, and audits the socket', async () => {
    const socket = await PlainQmp.open(viewerSocket);
    const page = await WsQmp.open(proxy, 'vm', { token: proxy.viewerToken! });
    const write = {
      execute: 'blockdev-mirror',
      arguments: { 'job-id': 'no', device: 'src', target: 'dst', sync: 'full' },
      id: 'w',
    };
    const fromSocket = await socket.send(write);
    const fromPage = await page.send(write);
    expect(fromSocket.error).toMatchObject({ class: 'BlockscopeDenied' });
    expect(fromSocket).toEqual(fromPage);
    // Reads work.
    expect(await socket.send({ execute: 'query-block', id: 'r' })).toHaveProperty('return');
    const audit = (await readFile(auditLog, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Message);
    const refused = audit.filter((e) => e.command === 'blockdev-mirror' && e.outcome === 'refused');
    expect(refused.map((e) => [e.role, e.peer])).toContainEqual(['viewer', `unix:${viewerSocket}`]);
    expect(relay.linesMatching(/"job-id": ?"no"/)).toEqual([]);
    socket.close();
    page.close();
  });

  it('drops the reply of a client that disconnects mid-command and affects no one else', async () => {
    const mux = proxy.multiplexers.get('vm')!;
    const stay = await PlainQmp.open(operatorSocket);
    const sessionsBefore = mux.sessionCount;
    const leaver = await PlainQmp.open(operatorSocket);
    const sentBefore = relay.linesMatching(/query-named-block-nodes/).length;
    leaver.socket.write(
      Array.from({ length: 50 }, (_, i) =>
        JSON.stringify({ execute: 'query-named-block-nodes', id: i }),
      ).join(''),
    );
    // Gone once QEMU has its first commands, before their replies are read.
    await new Promise<void>((resolve) => {
      const check = () =>
        relay.linesMatching(/query-named-block-nodes/).length > sentBefore
          ? resolve()
          : setImmediate(check);
      check();
    });
    leaver.socket.destroy();
    await leaver.closed;
    const ids = Array.from({ length: 20 }, (_, i) => `stay-${i}`);
    for (const id of ids) stay.socket.write(JSON.stringify({ execute: 'query-status', id }));
    await stay.next((m) => m.id === ids.at(-1));
    expect(stay.messages.filter((m) => 'return' in m && m.id !== '__neg').map((m) => m.id)).toEqual(
      ids,
    );
    // The leaver's queued commands drain and its session goes; QEMU's connection stayed up.
    await expect.poll(() => mux.sessionCount, { timeout: 20_000 }).toBe(sessionsBefore);
    expect(mux.upstream.currentState).toBe('connected');
    stay.close();
  });

  it('answers a one-shot `socat` pipeline that ends its input at once, then ends the connection', async () => {
    const line = (id: string, execute: string) => JSON.stringify({ execute, id });
    const script = [
      line('n', 'qmp_capabilities'),
      line('s', 'query-status'),
      line('b', 'query-block'),
    ];
    const { stdout } = await run('sh', [
      '-c',
      `printf '%s\\n' '${script.join("' '")}' | socat -t 30 - UNIX-CONNECT:${operatorSocket}`,
    ]);
    const messages = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Message);
    expect(messages[0]).toHaveProperty('QMP');
    expect(messages.filter((m) => 'id' in m).map((m) => m.id)).toEqual(['n', 's', 'b']);
  });

  it('serves an independent client in Python (standard library only): query-block and a job followed to its end', async () => {
    const script = join(import.meta.dirname, '../fixtures/expose/watch_job.py');
    const { stdout } = await run('/usr/bin/python3', [script, operatorSocket, 'src', 'dst'], {
      timeout: 60_000,
    });
    const result = JSON.parse(stdout) as {
      devices: string[];
      statuses: string[];
      events: string[];
      jobs_after: unknown[];
    };
    expect(result.devices).toEqual(['/machine/peripheral/vda/virtio-backend']);
    expect(result.statuses).toEqual(
      expect.arrayContaining([
        'created',
        'running',
        'ready',
        'waiting',
        'pending',
        'concluded',
        'null',
      ]),
    );
    expect(result.statuses.at(-1)).toBe('null');
    expect(result.events).toContain('BLOCK_JOB_COMPLETED');
    expect(result.jobs_after).toEqual([]);
    expect(await qemu.direct.execute('query-jobs')).toEqual([]);
  });

  it('cuts off a client that stops reading its replies, without slowing another', async () => {
    const other = await PlainQmp.open(operatorSocket);
    const stalled = await PlainQmp.open(operatorSocket);
    const mux = proxy.multiplexers.get('vm')!;
    const sessions = mux.sessionCount;
    stalled.socket.pause(); // reads nothing more: the replies pile up at the proxy
    // 60 schema replies are over 10 MiB: far more than the session lets wait unread.
    stalled.socket.write(
      Array.from({ length: 60 }, (_, i) =>
        JSON.stringify({ execute: 'query-qmp-schema', id: i }),
      ).join(''),
    );
    for (let i = 0; i < 20; i++) {
      expect(await other.send({ execute: 'query-status', id: `o${i}` })).toHaveProperty('return');
    }
    // The proxy stopped answering it once its unsent replies passed the soft limit, and ends it
    // when they have gone untaken for the stall interval (the client never closes).
    while (mux.sessionCount === sessions) await new Promise((resolve) => setTimeout(resolve, 20));
    stalled.socket.resume();
    await stalled.closed;
    // Not every reply got out. (How many were in the kernel's buffers when the cut came, and
    // reach the client after it, depends on timing.)
    const schemaReplies = stalled.messages.filter((m) => typeof m.id === 'number');
    expect(schemaReplies.length).toBeLessThan(60);
    expect(await other.send({ execute: 'query-status', id: 'after' })).toHaveProperty('return');
    other.close();
  });

  it('ends the connection of a client that sends a message over 64 KiB or bytes that are not UTF-8', async () => {
    for (const bad of [
      Buffer.from(JSON.stringify({ execute: 'query-status', id: 'x'.repeat(70 * 1024) })),
      Buffer.from([0x7b, 0x22, 0x69, 0x64, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]),
    ]) {
      const client = await PlainQmp.open(operatorSocket);
      client.socket.write(bad);
      await client.closed;
      expect(client.messages.at(-1)?.error).toMatchObject({ class: 'BlockscopeBadRequest' });
    }
  });

  it("ends clients' connections when the proxy's connection to QEMU is lost, and greets new ones once it is back", async () => {
    const mux = proxy.multiplexers.get('vm')!;
    const client = await PlainQmp.open(operatorSocket);
    const page = await WsQmp.open(proxy, 'vm');
    await relay.stop();
    await client.closed;
    // The page's session stays and hears the state; the socket client's connection ended.
    await page.next(
      (m) => m.event === 'X_BLOCKSCOPE_TARGET_STATE' && (m.data as Message).state !== 'connected',
    );
    relay = await startRecordingRelay(join(qemu.dir, 'relay.sock'), qemu.qmpSocket);
    await expect.poll(() => mux.upstream.currentState, { timeout: 20_000 }).toBe('connected');
    const again = await PlainQmp.open(operatorSocket);
    expect(await again.send({ execute: 'query-status', id: 1 })).toHaveProperty('return');
    again.close();
    page.close();
  });
});
