// --libvirt against a libvirtd of the test's own with TCG guests on qcow2 chains: every running
// guest is a target, marked as libvirt's, with its disks as virsh lists them; the graph carries
// libvirt's node names; commands reach the guest one at a time through libvirt's passthrough;
// guests that start and stop come and go; writes are refused (naming virsh's way) unless
// --libvirt-allow-writes, and nothing changes the guest's configuration.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestLibvirt, type TestGuest, type TestLibvirt } from '../harness/libvirt.ts';
import {
  listSources,
  listTargets,
  startLibvirtProxy,
  waitForTarget,
  type LibvirtProxy,
} from './libvirt-helpers.ts';
import { WsQmp, type Message } from './proxy-helpers.ts';

let libvirt: TestLibvirt;
let proxy: LibvirtProxy | undefined;
const guests: TestGuest[] = [];

beforeAll(async () => {
  libvirt = await startTestLibvirt();
});
afterEach(async () => {
  await proxy?.stop();
  proxy = undefined;
  for (const guest of guests.splice(0)) await guest.destroy();
});
afterAll(() => libvirt?.stop());

async function guest(name: string): Promise<TestGuest> {
  const created = await libvirt.createGuest(name, [
    { target: 'vda', chain: [`${name}-base.qcow2`, `${name}-top.qcow2`], size: '32M' },
  ]);
  guests.push(created);
  return created;
}

/** The guest device's QOM path, as query-block names it and libvirt's blkdeviotune uses. */
const QDEV = '/machine/peripheral/virtio-disk0/virtio-backend';

const names = (value: unknown) => (value as { 'node-name': string }[]).map((n) => n['node-name']);

describe('libvirt guests as targets', () => {
  it('serves every running guest, marked as libvirt’s, with its disks and libvirt’s node names', async () => {
    const web = await guest('bs-web');
    const xmlBefore = await libvirt.virsh(['dumpxml', web.uuid]);
    proxy = await startLibvirtProxy([libvirt.uri]);
    const row = await waitForTarget(proxy, 'bs-web', (t) => t.state === 'connected');
    // the guest's own QEMU (the passthrough's greeting names the connection's default one)
    const version = JSON.parse(
      await libvirt.virsh(['qemu-monitor-command', web.uuid, '{"execute":"query-version"}']),
    ).return.qemu as { major: number; minor: number; micro: number };
    expect(row.version).toBe(`${version.major}.${version.minor}.${version.micro}`);
    if (process.env.BLOCKSCOPE_QEMU_VERSION) {
      expect(row.version).toBe(process.env.BLOCKSCOPE_QEMU_VERSION);
    }
    expect(row).toMatchObject({
      managed: 'libvirt',
      uri: libvirt.uri,
      domain: 'bs-web',
      writable: false,
      kind: 'qemu-system',
    });
    const withDisks = await waitForTarget(proxy, 'bs-web', (t) => (t.disks?.length ?? 0) > 0);
    expect(withDisks.disks).toEqual([
      { type: 'file', device: 'disk', target: 'vda', source: web.images['bs-web-top.qcow2'] },
    ]);
    expect(await listSources(proxy)).toEqual([
      { kind: 'libvirt', id: libvirt.uri, state: 'connected', targets: 1 },
    ]);

    const session = await WsQmp.open(proxy, 'bs-web');
    // Twenty reads in one burst: libvirt's passthrough answers one command per read, so the
    // proxy must write them one at a time; every one is answered.
    const burst = Array.from({ length: 20 }, (_, i) => ({
      execute: i % 2 ? 'query-block' : 'query-named-block-nodes',
      ...(i % 2 ? {} : { arguments: { flat: true } }),
      id: `burst-${i}`,
    }));
    for (const command of burst) session.ws.send(JSON.stringify(command));
    const replies = await Promise.all(burst.map((c) => session.next((m) => m.id === c.id, 20_000)));
    expect(replies.every((r) => 'return' in r)).toBe(true);
    expect(names(replies[0]!.return).sort()).toEqual([
      'libvirt-1-format',
      'libvirt-1-storage',
      'libvirt-2-format',
      'libvirt-2-storage',
    ]);
    const blocks = replies[1]!.return as { qdev: string; inserted: { 'node-name': string } }[];
    expect(blocks.map((b) => [b.qdev, b.inserted['node-name']])).toEqual([
      ['/machine/peripheral/virtio-disk0/virtio-backend', 'libvirt-1-format'],
    ]);
    const graph = (await session.send({ execute: 'x-debug-query-block-graph', id: 'g' }))
      .return as { nodes: { name: string; type: string }[] };
    expect(graph.nodes.filter((n) => n.type === 'block-driver').map((n) => n.name)).toEqual(
      expect.arrayContaining(['libvirt-1-format', 'libvirt-1-storage', 'libvirt-2-format']),
    );
    session.close();
    // Watching changed nothing in the guest's definition.
    expect(await libvirt.virsh(['dumpxml', web.uuid])).toBe(xmlBefore);
  });

  it('adds a guest that starts within 5 s, and marks one that stops as gone, telling its sessions', async () => {
    proxy = await startLibvirtProxy([libvirt.uri]);
    expect(await listTargets(proxy)).toEqual([]);
    // virsh create returns once QEMU runs; the target is connected within 5 s of that
    const late = await guest('bs-late');
    await waitForTarget(proxy, 'bs-late', (t) => t.state === 'connected', 5_000);
    const session = await WsQmp.open(proxy, 'bs-late');
    const other = await guest('bs-other');
    // every session hears that the list changed, whichever target it watches
    await session.next(
      (m) =>
        m.event === 'X_BLOCKSCOPE_TARGETS' &&
        ((m.data as { added?: string[] }).added ?? []).includes('bs-other'),
    );
    await waitForTarget(proxy, 'bs-other', (t) => t.state === 'connected');

    // and marked gone within 5 s of virsh destroy returning
    await late.destroy();
    const gone = await waitForTarget(proxy, 'bs-late', (t) => t.state === 'gone', 5_000);
    expect(gone.reason).toMatch(/stopped/);
    const state = (await session.next(
      (m) => m.event === 'X_BLOCKSCOPE_TARGET_STATE' && (m.data as Message).state === 'gone',
    )) as { data: { reason: string } };
    expect(state.data.reason).toMatch(/stopped/);
    expect(await session.closed).toMatchObject({ code: 4011 });
    // the other guest is untouched, and a new session to the gone one is closed the same way
    expect((await listTargets(proxy)).find((t) => t.name === 'bs-other')?.state).toBe('connected');
    const again = await WsQmp.open(proxy, 'bs-late', { negotiate: false });
    expect((await again.closed).code).toBe(4011);
    await other.destroy();
  });

  it('refuses every mutating command by default, naming libvirt’s way, and QEMU never sees it', async () => {
    const db = await guest('bs-db');
    proxy = await startLibvirtProxy([libvirt.uri]);
    await waitForTarget(proxy, 'bs-db', (t) => t.state === 'connected');
    const session = await WsQmp.open(proxy, 'bs-db');
    const refusals: [Message, RegExp][] = [
      [
        {
          execute: 'blockdev-mirror',
          arguments: { device: 'libvirt-1-format', target: 'libvirt-2-format', sync: 'full' },
        },
        /virsh blockcopy bs-db/,
      ],
      [{ execute: 'block-commit', arguments: { device: 'libvirt-1-format' } }, /virsh blockcommit/],
      [{ execute: 'block-stream', arguments: { device: 'libvirt-1-format' } }, /virsh blockpull/],
      [
        {
          execute: 'block_set_io_throttle',
          arguments: {
            id: QDEV,
            bps: 1048576,
            bps_rd: 0,
            bps_wr: 0,
            iops: 0,
            iops_rd: 0,
            iops_wr: 0,
          },
        },
        /virsh blkdeviotune bs-db/,
      ],
      [{ execute: 'nbd-server-stop' }, /virsh backup-begin/],
    ];
    for (const [command, way] of refusals) {
      const reply = await session.send({ ...command, id: command.execute });
      expect(reply.error).toMatchObject({ class: 'BlockscopeDenied' });
      expect((reply.error as { desc: string }).desc).toMatch(/managed by libvirt/);
      expect((reply.error as { desc: string }).desc).toMatch(way);
    }
    // Seen from outside the proxy: no job started, no limit set.
    const jobs = await libvirt.virsh([
      'qemu-monitor-command',
      db.uuid,
      '{"execute":"query-block-jobs"}',
    ]);
    expect(JSON.parse(jobs)).toMatchObject({ return: [] });
    expect(await libvirt.virsh(['blkdeviotune', db.uuid, 'vda'])).toMatch(/total_bytes_sec: 0\b/);
    session.close();
  });

  it('relays an operation with --libvirt-allow-writes: a throttle libvirt then reports', async () => {
    const app = await guest('bs-app');
    proxy = await startLibvirtProxy([libvirt.uri], { libvirtAllowWrites: true });
    const row = await waitForTarget(proxy, 'bs-app', (t) => t.state === 'connected');
    expect(row.writable).toBe(true);
    const session = await WsQmp.open(proxy, 'bs-app');
    const reply = await session.send({
      execute: 'block_set_io_throttle',
      arguments: {
        id: QDEV,
        bps: 10485760,
        bps_rd: 0,
        bps_wr: 0,
        iops: 0,
        iops_rd: 0,
        iops_wr: 0,
      },
      id: 'throttle',
    });
    expect(reply).toEqual({ return: {}, id: 'throttle' });
    expect(await libvirt.virsh(['blkdeviotune', app.uuid, 'vda'])).toMatch(
      /total_bytes_sec: 10485760\b/,
    );
    session.close();
  });
});
