// GET /api/fleet and its event stream with real targets (qemu-system and qemu-storage-daemon): the
// counts of each, a job's progress from the shared job poller, the counts read again when the job
// ends, and no QEMU command at all while every target is idle.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetRow } from '../../proxy/fleet.ts';
import { MAX_FLEET_STREAMS } from '../../proxy/http-server.ts';
import type { ProxyHandle } from '../../proxy/server.ts';
import { startTestQemu, type TestQemu } from '../harness/qemu.ts';
import { waitUntil } from './libvirt-helpers.ts';
import { proxyConfig, startTestProxy, WsQmp } from './proxy-helpers.ts';

const MiB = 1024 * 1024;
let vm: TestQemu;
let store: TestQemu;
let proxy: ProxyHandle;

beforeAll(async () => {
  vm = await startTestQemu({
    args: [
      '-blockdev',
      `null-co,node-name=src,size=${512 * MiB}`,
      '-device',
      'virtio-blk-pci,id=vd0,drive=src',
      '-blockdev',
      `null-co,node-name=dst,size=${512 * MiB}`,
    ],
  });
  store = await startTestQemu({
    kind: 'storage-daemon',
    args: ['--blockdev', `null-co,node-name=exp0,size=${16 * MiB}`],
  });
  proxy = await startTestProxy(
    proxyConfig([
      { name: 'vm', address: { type: 'unix', path: vm.qmpSocket } },
      { name: 'store', address: { type: 'unix', path: store.qmpSocket } },
    ]),
  );
});
afterAll(async () => {
  await proxy?.stop();
  await vm?.stop();
  await store?.stop();
});

const fleet = async (): Promise<FleetRow[]> =>
  (await (
    await fetch(`${proxy.origin}/api/fleet`, {
      headers: { Authorization: `Bearer ${proxy.token}` },
    })
  ).json()) as FleetRow[];

const sent = () =>
  [...proxy.multiplexers.values()].reduce((sum, mux) => sum + mux.upstream.commandsWritten, 0);

/** The event stream's messages as they come. */
async function openStream(): Promise<{ next(): Promise<FleetRow[]>; close(): void }> {
  const controller = new AbortController();
  const response = await fetch(`${proxy.origin}/api/fleet/events`, {
    headers: { Authorization: `Bearer ${proxy.token}` },
    signal: controller.signal,
  });
  expect(response.headers.get('content-type')).toBe('text/event-stream');
  const reader = response.body!.getReader();
  let buffer = '';
  return {
    async next() {
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (block.startsWith('data: ')) return JSON.parse(block.slice(6)) as FleetRow[];
          continue;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('the stream ended');
        buffer += new TextDecoder().decode(value);
      }
    },
    close: () => controller.abort(),
  };
}

describe('the fleet overview', () => {
  it('counts each target, follows a job, and asks QEMU nothing while idle', async () => {
    const rows = await waitUntil('both targets counted', fleet, (r) =>
      r.every((row) => row.counts !== undefined),
    );
    expect(rows.map((r) => [r.name, r.state, r.kind])).toEqual([
      ['vm', 'connected', 'qemu-system'],
      ['store', 'connected', 'qemu-storage-daemon'],
    ]);
    const vmRow = rows.find((r) => r.name === 'vm')!;
    // two null nodes, one of them a device's drive
    expect(vmRow.counts).toEqual({ nodes: 2, disks: 1, exports: 0 });
    expect(rows.find((r) => r.name === 'store')!.counts).toEqual({
      nodes: 1,
      disks: 0,
      exports: 0,
    });

    // idle: not one command in two seconds, with the stream open
    const stream = await openStream();
    expect((await stream.next()).map((r) => r.name)).toEqual(['vm', 'store']);
    const before = sent();
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(sent()).toBe(before);

    const session = await WsQmp.open(proxy, 'vm');
    await session.send({
      execute: 'blockdev-mirror',
      arguments: { 'job-id': 'm1', device: 'src', target: 'dst', sync: 'full', speed: 64 * MiB },
      id: 1,
    });
    let withJob: FleetRow[];
    do withJob = await stream.next();
    while (!withJob.find((r) => r.name === 'vm')?.jobs);
    const jobs = withJob.find((r) => r.name === 'vm')!.jobs as { jobs: { id: string }[] };
    expect(jobs.jobs.map((j) => j.id)).toEqual(['m1']);
    expect(withJob.find((r) => r.name === 'store')!.jobs).toBeUndefined();

    await session.send({ execute: 'block-job-cancel', arguments: { device: 'm1' }, id: 2 });
    let after: FleetRow[];
    do after = await stream.next();
    while (after.find((r) => r.name === 'vm')?.jobs);
    session.close();
    stream.close();
  });

  it('needs a token, and bounds the streams open at once', async () => {
    expect((await fetch(`${proxy.origin}/api/fleet`)).status).toBe(401);
    expect((await fetch(`${proxy.origin}/api/fleet/events`)).status).toBe(401);
    const streams = await Promise.all(Array.from({ length: MAX_FLEET_STREAMS }, openStream));
    const refused = await fetch(`${proxy.origin}/api/fleet/events`, {
      headers: { Authorization: `Bearer ${proxy.token}` },
    });
    expect(refused.status).toBe(503);
    expect(await refused.json()).toEqual({ error: 'too many fleet streams open' });
    for (const s of streams) s.close();
    // a closed stream frees its place
    await waitUntil(
      'a place for a new stream',
      () =>
        openStream()
          .then((s) => (s.close(), true))
          .catch(() => false),
      (ok) => ok,
    );
  });
});
