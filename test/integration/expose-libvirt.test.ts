// --expose with --libvirt (a libvirtd of the test's own): a guest that starts gets its socket in
// the --expose directory, a client on it talks to the guest's QEMU through libvirt's passthrough,
// and the socket goes when the guest stops (its client's connection ends with it).
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestLibvirt, type TestLibvirt } from '../harness/libvirt.ts';
import {
  startLibvirtProxy,
  waitForTarget,
  waitUntil,
  type LibvirtProxy,
} from './libvirt-helpers.ts';
import { PlainQmp } from './plain-qmp-client.ts';

let libvirt: TestLibvirt;
let proxy: LibvirtProxy | undefined;
let dir: string;

beforeAll(async () => {
  libvirt = await startTestLibvirt();
  dir = await mkdtemp(join(tmpdir(), 'blockscope-expose-libvirt-'));
});
afterAll(async () => {
  await proxy?.stop();
  await libvirt?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const exists = (path: string) =>
  stat(path).then(
    (s) => s.isSocket(),
    () => false,
  );

describe('exposed sockets of libvirt guests', () => {
  it('gives a guest that starts its socket, and takes it away when the guest stops', async () => {
    proxy = await startLibvirtProxy([libvirt.uri], { expose: [{ dir, role: 'operator' }] });
    const path = join(dir, 'bs-exp.qmp');
    expect(await exists(path)).toBe(false);
    const guest = await libvirt.createGuest('bs-exp', [
      { target: 'vda', chain: ['bs-exp-base.qcow2', 'bs-exp-top.qcow2'], size: '32M' },
    ]);
    try {
      await waitForTarget(proxy, 'bs-exp', (t) => t.state === 'connected');
      await waitUntil('the socket', () => exists(path), Boolean);
      expect((await stat(path)).mode & 0o777).toBe(0o600);
      const client = await PlainQmp.open(path);
      const blocks = (await client.send({ execute: 'query-block', id: 1 })).return as {
        inserted: { 'node-name': string };
      }[];
      expect(blocks.map((b) => b.inserted['node-name'])).toEqual(['libvirt-1-format']);
      // libvirt's read-only rule holds on the socket as on a page.
      const refused = await client.send({
        execute: 'block_set_io_throttle',
        arguments: { id: 'x', bps: 1, bps_rd: 0, bps_wr: 0, iops: 0, iops_rd: 0, iops_wr: 0 },
        id: 2,
      });
      expect(refused.error).toMatchObject({ class: 'BlockscopeDenied' });
      expect((refused.error as { desc: string }).desc).toMatch(/virsh blkdeviotune/);

      await guest.destroy();
      await waitForTarget(proxy, 'bs-exp', (t) => t.state === 'gone');
      await client.closed;
      await waitUntil(
        'the socket gone',
        () => exists(path),
        (present) => !present,
      );
      expect(proxy.exposedSockets()).toEqual([]);
    } finally {
      await guest.destroy();
    }
  });
});
