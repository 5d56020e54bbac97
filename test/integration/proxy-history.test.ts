// The proxy's record of a target's history (X_BLOCKSCOPE_HISTORY) on a real QEMU: a session that
// opens later is told what an earlier session's commands caused, in order, with QEMU's own
// timestamps and a burst of identical events counted, and before any live event; a plain QMP
// socket the proxy exposes hears none of it (it stays QEMU's protocol).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProxyHandle } from '../../proxy/server.ts';
import { createImage, startTestQemu, writePatterns, type TestQemu } from '../harness/qemu.ts';
import { PlainQmp } from './plain-qmp-client.ts';
import { proxyConfig, startTestProxy, WsQmp, type Message } from './proxy-helpers.ts';

let qemu: TestQemu;
let proxy: ProxyHandle;
let dir: string;

beforeAll(async () => {
  qemu = await startTestQemu({
    prepare: async (d) => {
      await createImage({ path: join(d, 'src.qcow2'), format: 'qcow2', size: '16M' });
      await writePatterns(join(d, 'src.qcow2'), 'qcow2', [
        { offset: 0, length: '16M', pattern: 0x5a },
      ]);
      await createImage({ path: join(d, 'nospc.qcow2'), format: 'qcow2', size: '16M' });
    },
    args: (d) => [
      '-blockdev',
      `qcow2,node-name=src,file.driver=file,file.filename=${join(d, 'src.qcow2')}`,
    ],
  });
  dir = await mkdtemp(join(tmpdir(), 'blockscope-history-'));
  proxy = await startTestProxy(
    proxyConfig([{ name: 'vm', address: { type: 'unix', path: qemu.qmpSocket } }], {
      expose: [{ dir, role: 'operator' }],
    }),
  );
});

afterAll(async () => {
  await proxy?.stop();
  await qemu?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Entry {
  event: string;
  data?: Message;
  timestamp: { seconds: number; microseconds: number };
  at: number;
  count: number;
  'last-at'?: number;
  'last-timestamp'?: { seconds: number; microseconds: number };
}

const isLive = (m: Message) =>
  typeof m.event === 'string' &&
  (!m.event.startsWith('X_BLOCKSCOPE_') || m.event === 'X_BLOCKSCOPE_COMMAND_DONE');
const key = (m: { event?: unknown; data?: unknown }) => JSON.stringify([m.event, m.data ?? null]);

describe('X_BLOCKSCOPE_HISTORY', () => {
  it('tells a later session what happened, in order, with a burst counted', async () => {
    const started = Date.now();
    const first = await WsQmp.open(proxy, 'vm');
    // blkdebug is the test's own doing, on its own monitor (the proxy refuses the driver).
    await qemu.direct.execute('blockdev-add', {
      driver: 'qcow2',
      'node-name': 'nospc',
      file: {
        driver: 'blkdebug',
        'inject-error': [{ event: 'write_aio', errno: 28, once: false }],
        image: { driver: 'file', filename: join(qemu.dir, 'nospc.qcow2') },
      },
    });
    const added = await first.send({
      execute: 'block-dirty-bitmap-add',
      arguments: { node: 'src', name: 'b1', persistent: false },
      id: 1,
    });
    expect(added).toEqual({ return: {}, id: 1 });
    const mirror = await first.send({
      execute: 'blockdev-mirror',
      arguments: { 'job-id': 'mNospc', device: 'src', target: 'nospc', sync: 'full' },
      id: 2,
    });
    expect(mirror).toEqual({ return: {}, id: 2 });
    await first.next(
      (m) =>
        m.event === 'JOB_STATUS_CHANGE' &&
        (m.data as Message).id === 'mNospc' &&
        (m.data as Message).status === 'null',
    );
    const errors = first.events('BLOCK_JOB_ERROR');
    expect(errors.length).toBeGreaterThan(1);
    // What the first session heard after its negotiation, as one sequence of events.
    const heard = first.messages.filter(isLive).map(key);
    first.close();

    const second = await WsQmp.open(proxy, 'vm');
    const negotiated = second.messages.findIndex((m) => m.id === '__neg');
    const afterNegotiation = second.messages.slice(negotiated + 1);
    // The history is the very first event: nothing live can come before it and be doubled.
    expect(afterNegotiation[0]?.event).toBe('X_BLOCKSCOPE_HISTORY');
    expect(second.events('X_BLOCKSCOPE_HISTORY')).toHaveLength(1);
    const history = afterNegotiation[0]!.data as {
      since: number;
      now: number;
      dropped: number;
      entries: Entry[];
    };
    expect(history.since).toBeGreaterThan(started - 60_000);
    expect(history.since).toBeLessThanOrEqual(started);
    expect(history.now).toBeGreaterThanOrEqual(started);
    expect(history.now).toBeLessThanOrEqual(Date.now());
    expect(history.dropped).toBe(0);

    // The burst is one entry with its count, and QEMU's first and last timestamps.
    const burst = history.entries.filter((e) => e.event === 'BLOCK_JOB_ERROR');
    expect(burst).toHaveLength(1);
    expect(burst[0]).toMatchObject({
      count: errors.length,
      data: errors[0]!.data,
      timestamp: errors[0]!.timestamp,
      'last-timestamp': errors[errors.length - 1]!.timestamp,
    });
    expect(burst[0]!['last-at']).toBeGreaterThanOrEqual(burst[0]!.at);

    // Expanded, the record ends with exactly what the first session heard, in its order.
    const told = history.entries
      .filter((e) => isLive(e as unknown as Message))
      .flatMap((e) => Array<string>(e.count).fill(key(e)));
    expect(heard.length).toBeGreaterThan(8);
    expect(told.slice(-heard.length)).toEqual(heard);
    for (const e of history.entries) {
      expect(e.at).toBeGreaterThanOrEqual(history.since);
      expect(e.at).toBeLessThanOrEqual(history.now);
    }

    // The command notices name the role and what the command acted on, nothing else.
    const notices = history.entries
      .filter((e) => e.event === 'X_BLOCKSCOPE_COMMAND_DONE')
      .map((e) => e.data);
    expect(notices).toEqual([
      { command: 'block-dirty-bitmap-add', role: 'operator', node: 'src', name: 'b1' },
      { command: 'blockdev-mirror', role: 'operator', 'job-id': 'mNospc', device: 'src' },
    ]);
    // The proxy's once-a-second job snapshots are not history.
    expect(history.entries.some((e) => e.event === 'X_BLOCKSCOPE_JOBS')).toBe(false);
    second.close();
  });

  it("keeps a creation job's error, which only query-jobs tells, after the job is dismissed", async () => {
    const watcher = await WsQmp.open(proxy, 'vm');
    const filename = join(qemu.dir, 'created.raw');
    await qemu.direct.execute('blockdev-create', {
      'job-id': 'create-file',
      options: { driver: 'file', filename, size: 0 },
    });
    await qemu.direct.execute('blockdev-add', { driver: 'file', 'node-name': 'created', filename });
    await qemu.direct.execute('blockdev-create', {
      'job-id': 'create-bad',
      options: { driver: 'qcow2', file: 'created', size: 1000 },
    });
    const told = await watcher.next(
      (m) => m.event === 'X_BLOCKSCOPE_JOB_ERROR' && (m.data as Message).id === 'create-bad',
    );
    expect(told.data).toEqual({
      id: 'create-bad',
      type: 'create',
      error: expect.stringContaining('multiple of 512') as unknown as string,
    });
    for (const id of ['create-file', 'create-bad']) {
      await qemu.direct.execute('job-dismiss', { id });
    }
    await watcher.next(
      (m) =>
        m.event === 'JOB_STATUS_CHANGE' &&
        (m.data as Message).id === 'create-bad' &&
        (m.data as Message).status === 'null',
    );
    // Told once: later polls of the same concluded job did not repeat it.
    expect(watcher.events('X_BLOCKSCOPE_JOB_ERROR')).toHaveLength(1);
    watcher.close();

    const later = await WsQmp.open(proxy, 'vm');
    const { entries } = later.events('X_BLOCKSCOPE_HISTORY')[0]!.data as { entries: Entry[] };
    const names = entries
      .filter((e) => e.data?.id === 'create-bad')
      .map((e) => (e.event === 'JOB_STATUS_CHANGE' ? String(e.data?.status) : e.event));
    expect(names).toContain('X_BLOCKSCOPE_JOB_ERROR');
    expect(names.indexOf('X_BLOCKSCOPE_JOB_ERROR')).toBeLessThan(names.indexOf('null'));
    expect(names.indexOf('concluded')).toBeLessThan(names.indexOf('X_BLOCKSCOPE_JOB_ERROR'));
    later.close();
  });

  it('is not sent on a plain exposed socket', async () => {
    const plain = await PlainQmp.open(join(dir, 'vm.qmp'));
    // Anything sent with the negotiation's reply would come before this reply.
    const version = await plain.send({ execute: 'query-version', id: 'v' });
    expect(version).toHaveProperty('return.qemu');
    const before = plain.lines.slice(
      0,
      plain.lines.findIndex((l) => l.includes('"v"')),
    );
    expect(before.length).toBeGreaterThanOrEqual(2); // the greeting and the negotiation's reply
    expect(plain.lines.some((l) => l.includes('X_BLOCKSCOPE'))).toBe(false);
    plain.socket.destroy();
  });
});
