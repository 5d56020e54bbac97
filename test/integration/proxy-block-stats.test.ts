// I/O statistics through the proxy, against a real qemu-system behind a recording relay: one
// shared query-blockstats reader per target, only for the sessions that ask, whatever their
// number, and guest I/O showing up in what they hear.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProxyHandle } from '../../proxy/server.ts';
import { startRecordingRelay, type RecordingRelay } from '../fake-qmp/recording-relay.ts';
import { writeThrough } from '../fixtures/io/guest-io.ts';
import { createImage, makeTempDir, startTestQemu, type TestQemu } from '../harness/qemu.ts';
import { proxyConfig, startTestProxy, WsQmp, type Message } from './proxy-helpers.ts';

const MiB = 1024 * 1024;
const VDA = '/machine/peripheral/vda/virtio-backend';
let qemu: TestQemu;
let relay: RecordingRelay;
let proxy: ProxyHandle;
let viewerToken: string;

beforeAll(async () => {
  const tokens = await makeTempDir('blockscope-tokens-');
  qemu = await startTestQemu({
    prepare: (dir) => createImage({ path: join(dir, 'disk.raw'), format: 'raw', size: 16 * MiB }),
    args: (dir) => [
      '-blockdev',
      JSON.stringify({ driver: 'file', 'node-name': 'disk-file', filename: join(dir, 'disk.raw') }),
      '-blockdev',
      JSON.stringify({ driver: 'raw', 'node-name': 'disk', file: 'disk-file' }),
      '-device',
      'virtio-blk-pci,id=vda,drive=disk',
    ],
  });
  relay = await startRecordingRelay(join(qemu.dir, 'relay.sock'), qemu.qmpSocket);
  proxy = await startTestProxy(
    proxyConfig([{ name: 'vm', address: { type: 'unix', path: relay.path } }], {
      viewerTokenFile: join(tokens, 'viewer'),
    }),
  );
  viewerToken = proxy.viewerToken!;
});

afterAll(async () => {
  await proxy?.stop();
  await relay?.stop();
  await qemu?.stop();
});

const reads = () => relay.linesMatching(/"query-blockstats"/).length;
const STATS = 'X_BLOCKSCOPE_BLOCKSTATS';

interface Entry {
  device: string;
  qdev?: string;
  'node-name'?: string;
  stats: { wr_bytes: number; wr_operations: number };
}
const vdaOf = (m: Message) =>
  ((m.data as { blockstats: Entry[] }).blockstats ?? []).find((e) => e.qdev === VDA);

/** A stretch of time in which something must not happen (a measurement, not a wait for an event). */
const measuringWindow = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function watch(session: WsQmp, enable: boolean, id: unknown = 'w') {
  return session.send({
    execute: 'x-blockscope-watch-blockstats',
    arguments: { enable },
    id,
  });
}

describe('shared I/O statistics', () => {
  it('reads nothing while no session watches', async () => {
    const idle = await WsQmp.open(proxy, 'vm');
    const before = reads();
    await measuringWindow(2_500);
    expect(reads()).toBe(before);
    expect(idle.events(STATS)).toEqual([]);
    idle.close();
  });

  it('feeds ten watching sessions of both roles from one read a second, and no one else', async () => {
    const watchers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        WsQmp.open(proxy, 'vm', i % 2 ? { token: viewerToken } : {}),
      ),
    );
    const bystander = await WsQmp.open(proxy, 'vm');
    const before = reads();
    const started = Date.now();
    for (const session of watchers) {
      expect(await watch(session, true)).toEqual({ return: { 'interval-ms': 1000 }, id: 'w' });
    }
    // Guest writes of 1 MiB in 16 requests while they watch.
    const written = await writeThrough(qemu.direct, VDA, { count: 16, size: 64 * 1024, span: MiB });
    for (const session of watchers) {
      const seen = await session.next((m) => {
        const vda = m.event === STATS ? vdaOf(m) : undefined;
        return vda !== undefined && vda.stats.wr_bytes >= written.wr_bytes;
      });
      expect(vdaOf(seen)).toMatchObject({ device: '', qdev: VDA, 'node-name': 'disk' });
      // QEMU's zeroed subtrees are not passed on.
      expect(vdaOf(seen)).not.toHaveProperty('parent');
    }
    const elapsed = Date.now() - started;
    // At most one read per started second, for ten sessions.
    expect(reads() - before).toBeGreaterThanOrEqual(1);
    expect(reads() - before).toBeLessThanOrEqual(Math.floor(elapsed / 1000) + 1);
    // The events each session heard are the same reads: same count, same times.
    const times = watchers.map((s) => s.events(STATS).map((m) => (m.data as { at: number }).at));
    const common = Math.min(...times.map((t) => t.length));
    for (const t of times) expect(t.slice(-common)).toEqual(times[0]!.slice(-common));
    expect(bystander.events(STATS)).toEqual([]);

    // Closing nine and unwatching the last ends the reads.
    for (const session of watchers.slice(1)) session.close();
    await Promise.all(watchers.slice(1).map((s) => s.closed));
    expect(await watch(watchers[0]!, false)).toEqual({ return: { 'interval-ms': 1000 }, id: 'w' });
    const after = reads();
    await measuringWindow(2_500);
    expect(reads()).toBe(after);
    bystander.close();
    watchers[0]!.close();
  });

  it('answers bad or unknown proxy commands itself; QEMU never sees them', async () => {
    const session = await WsQmp.open(proxy, 'vm', { token: viewerToken });
    expect(
      await session.send({ execute: 'x-blockscope-watch-blockstats', arguments: {}, id: 1 }),
    ).toMatchObject({ error: { class: 'GenericError', desc: expect.stringMatching(/'enable'/) } });
    expect(
      await session.send({
        execute: 'x-blockscope-watch-blockstats',
        arguments: { enable: true, every: 1 },
        id: 2,
      }),
    ).toMatchObject({ error: { class: 'GenericError', desc: expect.stringMatching(/'every'/) } });
    expect(await session.send({ execute: 'x-blockscope-nothing', id: 3 })).toMatchObject({
      error: { class: 'CommandNotFound' },
    });
    expect(relay.linesMatching(/x-blockscope/)).toEqual([]);
    session.close();
  });
});
