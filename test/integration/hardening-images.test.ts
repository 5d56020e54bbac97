// Images inside --allow-path that name files outside it (issue 14): a qcow2 whose backing file is
// outside (plain, relative and `json:`), a qcow2 with an external data file outside, a vmdk
// descriptor with an extent outside. Every command that would open them goes through the proxy;
// afterwards no file of the outside directory is open in QEMU (`/proc/<pid>/fd`, every fd read
// back) nor listed by query-named-block-nodes. The same images opened on QEMU's own monitor do
// open the outside files, so the refusals are what kept them closed.
import { execFile } from 'node:child_process';
import { readdirSync, readlinkSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qemuBinaries } from '../../proxy/qemu/binaries.ts';
import type { ProxyHandle } from '../../proxy/server.ts';
import { startTestQemu, type TestQemu } from '../harness/qemu.ts';
import { proxyConfig, startTestProxy, WsQmp, type Message } from './proxy-helpers.ts';

const run = promisify(execFile);
let qemu: TestQemu;
let proxy: ProxyHandle;
let operator: WsQmp;
let inside: string;
let outside: string;
let n = 0;

const img = (...args: string[]) => run(qemuBinaries().img, args);

/** The crafted images; `-u` writes a backing name without opening it. */
async function craft(dir: string, secret: string, prefix: string): Promise<void> {
  const at = (name: string) => join(dir, prefix + name);
  const qcow2 = (name: string, ...options: string[]) =>
    img('create', '-q', '-f', 'qcow2', ...options, at(name), '1M');
  await qcow2('backing-out.qcow2', '-u', '-b', secret, '-F', 'raw');
  await qcow2('relative-out.qcow2', '-u', '-b', '../outside/secret.raw', '-F', 'raw');
  const json = `json:{"driver":"file","filename":"${secret}"}`;
  await qcow2('json-out.qcow2', '-u', '-b', json, '-F', 'raw');
  await qcow2('datafile-out.qcow2', '-o', `data_file=${join(secret, '..', `${prefix}data.raw`)}`);
  await qcow2('good-overlay.qcow2', '-b', 'good-base.raw', '-F', 'raw');
  await img('create', '-q', '-f', 'vmdk', at('sparse.vmdk'), '1M');
  const descriptor = [
    '# Disk DescriptorFile',
    'version=1',
    'CID=fffffffe',
    'parentCID=ffffffff',
    'createType="monolithicFlat"',
    '',
    `RW 2048 FLAT "${secret}" 0`,
    '',
    'ddb.virtualHWVersion = "4"',
    '',
  ].join('\n');
  await writeFile(at('extent-out.vmdk'), descriptor);
}

beforeAll(async () => {
  qemu = await startTestQemu({
    prepare: async (dir) => {
      inside = join(dir, 'images');
      outside = join(dir, 'outside');
      await mkdir(inside);
      await mkdir(outside);
      await writeFile(join(outside, 'secret.raw'), Buffer.alloc(1024 * 1024, 0x53));
      await writeFile(join(outside, 'vm-base.raw'), Buffer.alloc(1024 * 1024));
      await writeFile(join(inside, 'src.raw'), Buffer.alloc(1024 * 1024));
      await writeFile(join(inside, 'good-base.raw'), Buffer.alloc(1024 * 1024));
      await writeFile(join(inside, 'data-inside.raw'), Buffer.alloc(1024 * 1024));
      await writeFile(join(inside, 'new.raw'), Buffer.alloc(0));
      // A second set, `ctl-…`, for the control on QEMU's own monitor.
      for (const prefix of ['', 'ctl-', 'p-', 'q-'])
        await craft(inside, join(outside, 'secret.raw'), prefix);
      await writeFile(join(inside, 'mirror-base.raw'), Buffer.alloc(1024 * 1024));
      const target = ['-b', 'mirror-base.raw', '-F', 'raw', join(inside, 'mirror-target.qcow2')];
      await img('create', '-q', '-f', 'qcow2', ...target, '1M');
      await writeFile(join(inside, 'medium-base.raw'), Buffer.alloc(1024 * 1024));
      const medium = ['-b', 'medium-base.raw', '-F', 'raw', join(inside, 'medium.qcow2'), '1M'];
      await img('create', '-q', '-f', 'qcow2', ...medium);
    },
    args: (dir) => [
      '-blockdev',
      `driver=file,node-name=src-file,filename=${join(dir, 'images', 'src.raw')}`,
      '-blockdev',
      'driver=raw,node-name=src,file=src-file',
      '-device',
      'ide-cd,id=cd0',
      '-device',
      'virtio-blk-pci,id=vd0,drive=src',
      // The VM's own storage outside --allow-path, open from the start.
      '-blockdev',
      `driver=file,node-name=vm-base,filename=${join(dir, 'outside', 'vm-base.raw')},read-only=on`,
    ],
  });
  proxy = await startTestProxy(
    proxyConfig([{ name: 'vm', address: { type: 'unix', path: qemu.qmpSocket } }], {
      allowPaths: [inside],
    }),
  );
  operator = await WsQmp.open(proxy, 'vm');
});

afterAll(async () => {
  operator?.close();
  await proxy?.stop();
  await qemu?.stop();
});

/** Every file QEMU holds open, read back from /proc. */
function openFiles(): string[] {
  const dir = `/proc/${qemu.process.pid}/fd`;
  return readdirSync(dir).map((fd) => {
    try {
      return readlinkSync(join(dir, fd));
    } catch {
      return ''; // closed between the listing and the read
    }
  });
}

/** Every file QEMU holds open in the outside directory, but the VM's own base image. */
function openOutside(): string[] {
  return openFiles().filter(
    (target) => target.startsWith(outside) && !target.endsWith('/vm-base.raw'),
  );
}

async function nodesOutside(): Promise<string[]> {
  const nodes = await qemu.direct.execute<{ 'node-name': string; file: string }[]>(
    'query-named-block-nodes',
    { flat: true },
  );
  return nodes
    .filter((node) => node.file.includes(outside) && node['node-name'] !== 'vm-base')
    .map((node) => node['node-name']);
}

const send = (execute: string, args: Record<string, unknown>): Promise<Message> =>
  operator.send({ execute, arguments: args, id: ++n });

const file = (name: string) => ({ driver: 'file', filename: join(inside, name) });

async function refused(execute: string, args: Record<string, unknown>, pattern: RegExp) {
  const reply = await send(execute, args);
  expect(reply, `${execute} ${JSON.stringify(args)}`).toMatchObject({
    error: { class: expect.stringMatching(/^Blockscope(Denied|PathNotAllowed)$/) },
  });
  expect((reply.error as { desc: string }).desc).toMatch(pattern);
}

async function accepted(execute: string, args: Record<string, unknown>) {
  const reply = await send(execute, args);
  expect(reply, `${execute} ${JSON.stringify(args)} ${JSON.stringify(reply)}`).toHaveProperty(
    'return',
  );
}

describe('images inside --allow-path that name files outside it', () => {
  it('refuses format nodes without an explicit backing, and external data files and extents', async () => {
    for (const name of ['backing-out.qcow2', 'relative-out.qcow2', 'json-out.qcow2']) {
      await refused(
        'blockdev-add',
        { driver: 'qcow2', 'node-name': 'x', file: file(name) },
        /explicit 'backing'/,
      );
    }
    const nested = {
      driver: 'raw',
      'node-name': 'x',
      file: { driver: 'qcow2', file: file('backing-out.qcow2') },
    };
    await refused('blockdev-add', nested, /explicit 'backing'/);
    const reopen = {
      options: [{ driver: 'qcow2', 'node-name': 'x', file: file('backing-out.qcow2') }],
    };
    await refused('blockdev-reopen', reopen, /explicit 'backing'/);
    // The data file is named in the header: inline, and through a file node QEMU is asked about.
    const data = { driver: 'qcow2', 'node-name': 'x', backing: null };
    await refused('blockdev-add', { ...data, file: file('datafile-out.qcow2') }, /data-file/);
    await accepted('blockdev-add', { ...file('datafile-out.qcow2'), 'node-name': 'df-file' });
    await refused('blockdev-add', { ...data, file: 'df-file' }, /external file/);
    // A file node added on another monitor is not known to the proxy: QEMU is asked about it.
    await qemu.direct.execute('blockdev-add', {
      ...file('q-datafile-out.qcow2'),
      'node-name': 'q-file',
    });
    await refused('blockdev-add', { ...data, file: 'q-file' }, /external file/);
    await refused('blockdev-add', { ...data, file: 'no-such-node' }, /no node named/);
    await refused(
      'blockdev-add',
      {
        ...data,
        backing: { driver: 'qcow2', file: 'df-file', backing: null },
        file: file('good-overlay.qcow2'),
      },
      /data-file/,
    );
    const vmdk = { driver: 'vmdk', 'node-name': 'x', backing: null, file: file('extent-out.vmdk') };
    await refused('blockdev-add', vmdk, /vmdk descriptor/);
    expect(openOutside()).toEqual([]);
  });

  it('refuses backing file names outside --allow-path written into headers', async () => {
    const secret = join(outside, 'secret.raw');
    await accepted('blockdev-add', { ...file('new.raw'), 'node-name': 'new-file' });
    const create = { driver: 'qcow2', file: 'new-file', size: 1024 * 1024, 'backing-file': secret };
    await refused('blockdev-create', { 'job-id': 'c', options: create }, /outside/);
    const json = `json:{"driver":"file","filename":"${secret}"}`;
    await refused(
      'blockdev-create',
      { 'job-id': 'c', options: { ...create, 'backing-file': json } },
      /json:/,
    );
    await refused(
      'blockdev-create',
      { 'job-id': 'c', options: { ...create, 'backing-file': 'secret.raw' } },
      /outside/,
    );
    await refused(
      'change-backing-file',
      { device: 'src', 'image-node-name': 'src', 'backing-file': secret },
      /outside/,
    );
    await refused('block-stream', { device: 'src', 'backing-file': secret }, /outside/);
    await refused('block-commit', { device: 'src', 'backing-file': secret }, /outside/);
    // A file QEMU already has open (the VM's own base image) may be named, as a top-layer mirror
    // names its source's base; nothing new is opened.
    const base = { ...create, 'backing-file': join(outside, 'vm-base.raw'), 'backing-fmt': 'raw' };
    await accepted('blockdev-create', { 'job-id': 'c-base', options: base });
    await qemu.direct.waitForEvent(
      (e) =>
        e.event === 'JOB_STATUS_CHANGE' && e.data?.id === 'c-base' && e.data.status === 'concluded',
    );
    await accepted('job-dismiss', { id: 'c-base' });
    expect(openOutside()).toEqual([]);
  });

  it('refuses opens by file name of images whose header names files outside', async () => {
    for (const name of [
      'backing-out.qcow2',
      'relative-out.qcow2',
      'json-out.qcow2',
      'datafile-out.qcow2',
      'extent-out.vmdk',
    ]) {
      const target = join(inside, name);
      for (const format of [{}, { format: name.endsWith('vmdk') ? 'vmdk' : 'qcow2' }]) {
        const mirror = {
          device: 'src',
          target,
          sync: 'full',
          mode: 'existing',
          'job-id': 'm',
          ...format,
        };
        await refused('drive-mirror', mirror, /outside|json:|external|vmdk/);
        await refused('drive-backup', { ...mirror, 'job-id': 'b' }, /outside|json:|external|vmdk/);
        await refused(
          'blockdev-change-medium',
          { id: 'cd0', filename: target, ...format },
          /outside|json:|external|vmdk/,
        );
      }
    }
    const snapshot = {
      'node-name': 'src',
      'snapshot-file': join(inside, 'datafile-out.qcow2'),
      mode: 'existing',
    };
    await refused('blockdev-snapshot-sync', snapshot, /external/);
    const action = { type: 'blockdev-snapshot-sync', data: snapshot };
    await refused('transaction', { actions: [action] }, /external/);
    expect(openOutside()).toEqual([]);
    expect(await nodesOutside()).toEqual([]);
  });

  it('keeps the session order around a pre-check: earlier commands are seen, later ones wait', async () => {
    // Pipelined: the qcow2's header check must see the file node added just before it, and the
    // blockdev-del after it must not overtake the check (it would find no node and say so).
    const frames = [
      {
        execute: 'blockdev-add',
        arguments: { ...file('p-datafile-out.qcow2'), 'node-name': 'p-file' },
      },
      {
        execute: 'blockdev-add',
        arguments: { driver: 'qcow2', 'node-name': 'p', backing: null, file: 'p-file' },
      },
      { execute: 'blockdev-del', arguments: { 'node-name': 'p-file' } },
    ].map((frame, i) => ({ ...frame, id: `order-${i}` }));
    for (const frame of frames) operator.ws.send(JSON.stringify(frame));
    const replies = await Promise.all(
      frames.map((frame) => operator.next((m) => m.id === frame.id)),
    );
    expect(replies[0]).toEqual({ return: {}, id: 'order-0' });
    expect(replies[1]).toMatchObject({ error: { class: 'BlockscopeDenied' }, id: 'order-1' });
    expect((replies[1]!.error as { desc: string }).desc).toMatch(/external file/);
    expect(replies[2]).toEqual({ return: {}, id: 'order-2' });
    expect(openOutside()).toEqual([]);
  });

  it('keeps legitimate opens working, and they open nothing outside', async () => {
    await accepted('blockdev-add', {
      driver: 'qcow2',
      'node-name': 'b-out',
      file: file('backing-out.qcow2'),
      backing: null,
    });
    await accepted('blockdev-add', {
      driver: 'qcow2',
      'node-name': 'j-out',
      file: file('json-out.qcow2'),
      backing: null,
    });
    await accepted('blockdev-add', { ...file('data-inside.raw'), 'node-name': 'data-in' });
    await accepted('blockdev-add', { ...file('good-base.raw'), 'node-name': 'base-file' });
    await accepted('blockdev-add', { driver: 'raw', 'node-name': 'base', file: 'base-file' });
    await accepted('blockdev-add', {
      driver: 'qcow2',
      'node-name': 'overlay',
      file: file('good-overlay.qcow2'),
      backing: 'base',
    });
    await accepted('blockdev-add', {
      driver: 'vmdk',
      'node-name': 'sparse',
      file: file('sparse.vmdk'),
      backing: null,
    });
    // A medium whose header names a backing inside --allow-path opens with it.
    await accepted('blockdev-change-medium', {
      id: 'cd0',
      filename: join(inside, 'medium.qcow2'),
      format: 'qcow2',
    });
    // …and QEMU does follow a medium's backing name, which is why it is checked.
    expect(openFiles()).toContain(join(inside, 'medium-base.raw'));
    // snapshot-sync opens an existing overlay without its own backing (the current image becomes
    // it), so the backing name outside is never followed.
    await accepted('blockdev-snapshot-sync', {
      'node-name': 'src',
      'snapshot-file': join(inside, 'relative-out.qcow2'),
      'snapshot-node-name': 'snap',
      format: 'qcow2',
      mode: 'existing',
    });
    expect(openOutside()).toEqual([]);
    expect(await nodesOutside()).toEqual([]);
  });

  it('a mirror onto an existing image opens its backing chain when it completes (so it is checked)', async () => {
    const mirrorBase = join(inside, 'mirror-base.raw');
    await accepted('drive-mirror', {
      device: 'snap',
      'job-id': 'mx',
      target: join(inside, 'mirror-target.qcow2'),
      format: 'qcow2',
      sync: 'full',
      mode: 'existing',
    });
    await qemu.direct.waitForEvent((e) => e.event === 'BLOCK_JOB_READY' && e.data?.device === 'mx');
    expect(openFiles()).not.toContain(mirrorBase);
    await accepted('block-job-complete', { device: 'mx' });
    await qemu.direct.waitForEvent(
      (e) => e.event === 'BLOCK_JOB_COMPLETED' && e.data?.device === 'mx',
    );
    expect(openFiles()).toContain(mirrorBase);
    expect(openOutside()).toEqual([]);
  });

  it('the same images opened on QEMU’s own monitor do open the outside files (the control)', async () => {
    await qemu.direct.execute('blockdev-add', {
      driver: 'qcow2',
      'node-name': 'ctl-b',
      file: file('ctl-backing-out.qcow2'),
    });
    await qemu.direct.execute('blockdev-add', {
      driver: 'qcow2',
      'node-name': 'ctl-d',
      backing: null,
      file: file('ctl-datafile-out.qcow2'),
    });
    await qemu.direct.execute('blockdev-add', {
      driver: 'vmdk',
      'node-name': 'ctl-v',
      backing: null,
      file: file('ctl-extent-out.vmdk'),
    });
    expect([...new Set(openOutside())].sort()).toEqual([
      join(outside, 'ctl-data.raw'),
      join(outside, 'secret.raw'),
    ]);
    expect((await nodesOutside()).length).toBeGreaterThan(0);
  });
});
