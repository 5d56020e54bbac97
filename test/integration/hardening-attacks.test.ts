// Attacks the proxy tests (proxy-security, proxy-sessions, proxy-http) do not already cover, against
// a real qemu-system behind a recording relay: connections that never finish their request head,
// a flood of unauthenticated sockets, binary and invalid UTF-8 frames, file arguments that leave
// --allow-path through literal `..` or symlinks, and network addresses hidden in block drivers.
// In every case QEMU receives nothing (the relay shows it) and the audit log records the refusal.
import { readFileSync } from 'node:fs';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { ProxyHandle } from '../../proxy/server.ts';
import { startRecordingRelay, type RecordingRelay } from '../fake-qmp/recording-relay.ts';
import { startTestQemu, type TestQemu } from '../harness/qemu.ts';
import { proxyConfig, rawUpgrade, startTestProxy, WsQmp } from './proxy-helpers.ts';

const MAX_PENDING = 4;
let qemu: TestQemu;
let relay: RecordingRelay;
let proxy: ProxyHandle;
let auditPath: string;
let allowDir: string;

beforeAll(async () => {
  qemu = await startTestQemu();
  allowDir = join(qemu.dir, 'images');
  await mkdir(allowDir);
  await writeFile(join(allowDir, 'ok.raw'), Buffer.alloc(1024 * 1024));
  await symlink('/etc', join(allowDir, 'etc-link'));
  await symlink(qemu.qmpSocket, join(allowDir, 'monitor-link.sock'));
  relay = await startRecordingRelay(join(qemu.dir, 'relay.sock'), qemu.qmpSocket);
  auditPath = join(qemu.dir, 'audit.jsonl');
  proxy = await startTestProxy(
    proxyConfig([{ name: 'vm', address: { type: 'unix', path: relay.path } }], {
      auditLog: auditPath,
      viewerTokenFile: join(qemu.dir, 'viewer-token'),
      allowPaths: [allowDir],
    }),
    { pending: { maxPending: MAX_PENDING, headDeadlineMs: 400 } },
  );
});

afterAll(async () => {
  await proxy?.stop();
  await relay?.stop();
  await qemu?.stop();
});

/** Lines QEMU received, except the job poller's own reads. */
// The proxy's own reads (the job poller's; the NBD server record's at connect) are not a client's.
const commandsSeen = () =>
  relay.lines.filter((l) => !/"query-(block-)?jobs"|"query-block-exports"/.test(l));
const audit = () =>
  readFileSync(auditPath, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

/** A raw TCP connection; resolves `closed` with everything the server sent before closing. */
function rawSocket(): { socket: Socket; closed: Promise<string> } {
  const socket = connect(proxy.port, '127.0.0.1');
  let received = '';
  socket.on('data', (data) => (received += String(data)));
  socket.on('error', () => {});
  const closed = new Promise<string>((resolve) => socket.on('close', () => resolve(received)));
  return { socket, closed };
}

describe('unauthenticated connections', () => {
  it('closes a connection whose request head never completes, and audits it', async () => {
    const before = commandsSeen().length;
    const { socket, closed } = rawSocket();
    socket.write(`GET /api/qmp/vm HTTP/1.1\r\nHost: 127.0.0.1:${proxy.port}\r\nUpgrade: webs`);
    expect(await closed).toBe('');
    expect(audit().at(-1)).toMatchObject({
      outcome: 'refused',
      error: { desc: 'request head too slow' },
    });
    expect(commandsSeen()).toHaveLength(before);
  });

  it('caps sockets that have not sent a request head; the next one is closed at once', async () => {
    const before = commandsSeen().length;
    const held = Array.from({ length: MAX_PENDING }, () => rawSocket());
    await Promise.all(held.map(({ socket }) => new Promise((r) => socket.once('connect', r))));
    // Let the server see the held sockets before the extra one arrives.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const extra = rawSocket();
    extra.socket.write('GET / HTTP/1.1\r\n');
    expect(await extra.closed).toBe('');
    expect(audit().at(-1)).toMatchObject({ error: { desc: 'too many pending connections' } });
    // The held ones are dropped at their deadline; then a real client gets in again.
    await Promise.all(held.map(({ closed }) => closed));
    const bearer = { Authorization: `Bearer ${proxy.token}` };
    expect(await rawUpgrade(proxy.port, '/api/qmp/vm', bearer)).toBe(101);
    expect(commandsSeen()).toHaveLength(before);
  });
});

describe('frames', () => {
  it('closes a session on a binary frame (1008) and on invalid UTF-8 (1007), QEMU sees nothing', async () => {
    const before = commandsSeen().length;
    const binary = await WsQmp.open(proxy, 'vm');
    binary.ws.send(Buffer.from('{"execute":"quit"}'), { binary: true });
    expect((await binary.closed).code).toBe(1008);

    const utf8 = await WsQmp.open(proxy, 'vm');
    // ws validates outgoing text only when asked to, so frame the bad bytes by hand.
    const socket = (utf8.ws as unknown as { _socket: Socket })._socket;
    const payload = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
    const mask = Buffer.from([1, 2, 3, 4]);
    const masked = payload.map((byte, i) => byte ^ mask[i % 4]!);
    socket.write(Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]));
    expect((await utf8.closed).code).toBe(1007);
    expect(commandsSeen()).toHaveLength(before);
  });
});

describe('arguments that reach outside the block layer', () => {
  it('refuses paths out of --allow-path through literal .., symlinks and absolute paths', async () => {
    const operator = await WsQmp.open(proxy, 'vm');
    const before = commandsSeen().length;
    const outside = [
      `${allowDir}/../qmp.sock`,
      `${allowDir}/etc-link/passwd`,
      `${allowDir}/monitor-link.sock`,
      `${allowDir}/./etc-link/../../qmp.sock`,
      '/etc/passwd',
    ];
    const attempts = outside.flatMap((path) => [
      { execute: 'blockdev-add', arguments: { driver: 'file', 'node-name': 'x', filename: path } },
      {
        execute: 'blockdev-create',
        arguments: { 'job-id': 'c', options: { driver: 'file', filename: path, size: 1024 } },
      },
      { execute: 'drive-mirror', arguments: { device: 'x', target: path, sync: 'full' } },
      { execute: 'blockdev-snapshot-sync', arguments: { 'node-name': 'x', 'snapshot-file': path } },
      {
        execute: 'transaction',
        arguments: {
          actions: [{ type: 'drive-backup', data: { device: 'x', target: path, sync: 'full' } }],
        },
      },
      { execute: 'nbd-server-start', arguments: { addr: { type: 'unix', data: { path } } } },
    ]);
    for (const [i, attempt] of attempts.entries()) {
      const reply = await operator.send({ ...attempt, id: i });
      expect(reply, JSON.stringify(attempt)).toMatchObject({
        error: { class: 'BlockscopePathNotAllowed' },
        id: i,
      });
    }
    expect(commandsSeen()).toHaveLength(before);
    const refused = audit().slice(-attempts.length);
    expect(refused.every((e) => e.outcome === 'refused' && e.role === 'operator')).toBe(true);
    operator.close();
  });

  it('refuses NBD servers on non-loopback addresses and block drivers that connect anywhere', async () => {
    const operator = await WsQmp.open(proxy, 'vm');
    const before = commandsSeen().length;
    const nbdServer = (host: string) => ({
      execute: 'nbd-server-start',
      arguments: { addr: { type: 'inet', data: { host, port: '10809' } } },
    });
    const attempts = [
      nbdServer('0.0.0.0'),
      nbdServer('::'),
      nbdServer('192.0.2.1'),
      nbdServer('127.1'),
      {
        execute: 'blockdev-add',
        arguments: {
          driver: 'nbd',
          'node-name': 'n',
          server: { type: 'inet', host: '192.0.2.1', port: '10809' },
        },
      },
      {
        execute: 'blockdev-add',
        arguments: {
          driver: 'nbd',
          'node-name': 'n',
          server: { type: 'unix', path: qemu.qmpSocket },
        },
      },
      {
        execute: 'blockdev-add',
        arguments: {
          driver: 'raw',
          'node-name': 'r',
          file: { driver: 'nbd', server: { type: 'inet', host: '192.0.2.1', port: '22' } },
        },
      },
      {
        execute: 'blockdev-add',
        arguments: { driver: 'http', 'node-name': 'h', url: 'http://192.0.2.1/disk.raw' },
      },
      {
        execute: 'blockdev-add',
        arguments: {
          driver: 'ssh',
          'node-name': 's',
          server: { host: '192.0.2.1', port: '22' },
          path: '/disk',
        },
      },
    ];
    for (const [i, attempt] of attempts.entries()) {
      const reply = await operator.send({ ...attempt, id: i });
      expect(reply, JSON.stringify(attempt)).toMatchObject({
        error: { class: expect.stringMatching(/^Blockscope(Denied|PathNotAllowed)$/) },
      });
    }
    expect(commandsSeen()).toHaveLength(before);
    expect(
      audit()
        .slice(-attempts.length)
        .every((e) => e.outcome === 'refused'),
    ).toBe(true);
    // A loopback NBD server is the allowed case, so the refusals above are about the address.
    const loopback = nbdServer('127.0.0.1');
    expect(await operator.send({ ...loopback, id: 'ok' })).toEqual({ return: {}, id: 'ok' });
    expect(await operator.send({ execute: 'nbd-server-stop', id: 'stop' })).toEqual({
      return: {},
      id: 'stop',
    });
    operator.close();
  });

  it('lets an operator delete throttle groups only, not other objects', async () => {
    await qemu.direct.execute('object-add', { 'qom-type': 'secret', id: 'sec0', data: 'x' });
    const operator = await WsQmp.open(proxy, 'vm');
    const group = { 'qom-type': 'throttle-group', id: 'tg0', limits: { 'iops-total': 10 } };
    expect(await operator.send({ execute: 'object-add', arguments: group, id: 'a' })).toEqual({
      return: {},
      id: 'a',
    });
    for (const id of ['sec0', 'no-such-object']) {
      expect(await operator.send({ execute: 'object-del', arguments: { id }, id })).toMatchObject({
        error: { class: 'BlockscopeDenied' },
        id,
      });
    }
    expect(relay.linesMatching(/object-del/)).toEqual([]);
    expect(audit().at(-1)).toMatchObject({ command: 'object-del', outcome: 'refused' });
    expect(
      await operator.send({ execute: 'object-del', arguments: { id: 'tg0' }, id: 'd' }),
    ).toEqual({ return: {}, id: 'd' });
    const objects = await qemu.direct.execute<{ name: string }[]>('qom-list', { path: '/objects' });
    expect(objects.map((o) => o.name)).toContain('sec0');
    expect(objects.map((o) => o.name)).not.toContain('tg0');
    operator.close();
  });

  it('keeps a viewer from job control, transactions and QOM writes', async () => {
    const viewer = await WsQmp.open(proxy, 'vm', { token: proxy.viewerToken });
    const before = commandsSeen().length;
    const attempts = [
      { execute: 'job-cancel', arguments: { id: 'j' } },
      { execute: 'transaction', arguments: { actions: [] } },
      { execute: 'qom-set', arguments: { path: '/objects/t', property: 'limits', value: {} } },
      { execute: 'nbd-server-start', arguments: { addr: { type: 'unix', data: { path: '/x' } } } },
      { execute: 'object-del', arguments: { id: 'anything' } },
    ];
    for (const [i, attempt] of attempts.entries()) {
      expect(await viewer.send({ ...attempt, id: i })).toMatchObject({
        error: { class: 'BlockscopeDenied' },
      });
    }
    expect(commandsSeen()).toHaveLength(before);
    viewer.close();
  });
});

// A plain WebSocket without credentials never gets a session, even when it retries quickly.
it('refuses many unauthenticated upgrade attempts without reaching QEMU', async () => {
  const before = commandsSeen().length;
  const attempts = Array.from({ length: 20 }, () => {
    const ws = new WebSocket(`ws://127.0.0.1:${proxy.port}/api/qmp/vm`);
    return new Promise<string>((resolve) => {
      ws.on('unexpected-response', (_req, res) => resolve(String(res.statusCode)));
      ws.on('error', () => resolve('error'));
      ws.on('open', () => resolve('open'));
    });
  });
  const outcomes = await Promise.all(attempts);
  expect(outcomes.includes('open')).toBe(false);
  expect(commandsSeen()).toHaveLength(before);
});
