import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { JsonValue } from '../src/qmp/wire.ts';
import { loadSchema72 } from '../test/fixtures/schema/schema-fixture.ts';
import { Policy } from './policy.ts';

const root = mkdtempSync(join(tmpdir(), 'blockscope-policy-'));
const images = join(root, 'images');
mkdirSync(images);
symlinkSync('/etc', join(images, 'escape'));
// Links to nothing: creating a file through one creates its target.
symlinkSync(join(root, 'outside.qcow2'), join(images, 'dangling-out'));
symlinkSync(join(images, 'made-here.qcow2'), join(images, 'dangling-in'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

// The live schema of QEMU 7.2 as the project ships it; the argument checks walk it.
const raw = loadSchema72() as JsonValue;
const schema = new Set(
  (raw as { name: string; 'meta-type': string }[])
    .filter((e) => e['meta-type'] === 'command')
    .map((e) => e.name),
);
const policy = new Policy({ allowPaths: [images], allowCommands: [] });
const classOf = (role: 'operator' | 'viewer', command: string, args = {}) =>
  policy.check(role, command, args, schema, raw)?.class ?? 'allowed';

describe('Policy', () => {
  it('lets a viewer read and nothing else', () => {
    expect(classOf('viewer', 'query-status')).toBe('allowed');
    expect(classOf('viewer', 'x-debug-query-block-graph')).toBe('allowed');
    expect(classOf('viewer', 'blockdev-add', { driver: 'null-co', 'node-name': 'n' })).toBe(
      'BlockscopeDenied',
    );
  });

  it('refuses commands outside the block layer for every role', () => {
    for (const command of ['human-monitor-command', 'quit', 'device_add', 'migrate', 'cont']) {
      expect(classOf('operator', command)).toBe('BlockscopeDenied');
      expect(classOf('viewer', command)).toBe('BlockscopeDenied');
    }
  });

  it('lifts a hard refusal only for the commands named by --allow-command, and only for operators', () => {
    const open = new Policy({ allowPaths: [], allowCommands: ['human-monitor-command'] });
    expect(open.check('operator', 'human-monitor-command', {}, schema)).toBeNull();
    expect(open.check('viewer', 'human-monitor-command', {}, schema)?.class).toBe(
      'BlockscopeDenied',
    );
    expect(open.check('operator', 'quit', {}, schema)?.class).toBe('BlockscopeDenied');
  });

  it('refuses commands the live schema does not list', () => {
    expect(classOf('operator', 'blockdev-set-active')).toBe('CommandNotFound');
    expect(classOf('viewer', 'query-nothing')).toBe('CommandNotFound');
  });

  it('confines file arguments to --allow-path directories after resolving .. and symlinks', () => {
    const add = (filename: string) =>
      classOf('operator', 'blockdev-add', { driver: 'file', 'node-name': 'f', filename });
    expect(add(join(images, 'a.qcow2'))).toBe('allowed');
    expect(add(join(images, 'new', 'deeper.qcow2'))).toBe('allowed');
    expect(add('/etc/shadow')).toBe('BlockscopePathNotAllowed');
    expect(add(join(images, '..', 'outside.qcow2'))).toBe('BlockscopePathNotAllowed');
    expect(add(join(images, 'escape', 'passwd'))).toBe('BlockscopePathNotAllowed');
    expect(add(`${images}-sibling/x`)).toBe('BlockscopePathNotAllowed');
    expect(add(join(images, 'dangling-out'))).toBe('BlockscopePathNotAllowed');
    expect(add(join(images, 'dangling-in'))).toBe('allowed');
    expect(add('relative.qcow2')).toBe('BlockscopePathNotAllowed');
    expect(add(`${images}/a\u0000b`)).toBe('BlockscopePathNotAllowed');
    const nested = {
      driver: 'qcow2',
      'node-name': 'q',
      backing: null,
      file: { driver: 'file', filename: '/etc/x' },
    };
    expect(classOf('operator', 'blockdev-add', nested)).toBe('BlockscopePathNotAllowed');
    const create = { 'job-id': 'c', options: { driver: 'file', filename: '/root/x', size: 0 } };
    expect(classOf('operator', 'blockdev-create', create)).toBe('BlockscopePathNotAllowed');
    const mirror = { device: 'd', target: '/tmp/elsewhere.qcow2', sync: 'full' };
    expect(classOf('operator', 'drive-mirror', mirror)).toBe('BlockscopePathNotAllowed');
    expect(
      classOf('operator', 'drive-mirror', { ...mirror, target: join(images, 'm.qcow2') }),
    ).toBe('allowed');
    const snapshot = { 'snapshot-file': '/var/x.qcow2', device: 'd' };
    expect(
      classOf('operator', 'transaction', {
        actions: [{ type: 'blockdev-snapshot-sync', data: snapshot }],
      }),
    ).toBe('BlockscopePathNotAllowed');
  });

  it('keeps NBD servers on loopback or a unix socket inside --allow-path', () => {
    const start = (addr: object) => classOf('operator', 'nbd-server-start', { addr });
    expect(start({ type: 'inet', data: { host: '127.0.0.1', port: '10809' } })).toBe('allowed');
    expect(start({ type: 'inet', data: { host: '0.0.0.0', port: '10809' } })).toBe(
      'BlockscopeDenied',
    );
    expect(start({ type: 'unix', data: { path: join(images, 'nbd.sock') } })).toBe('allowed');
    expect(start({ type: 'unix', data: { path: '/run/nbd.sock' } })).toBe(
      'BlockscopePathNotAllowed',
    );
    const remote = new Policy({ allowPaths: [], allowCommands: [], allowRemoteNbd: true });
    const addr = { type: 'inet', data: { host: '0.0.0.0', port: '10809' } };
    expect(remote.check('operator', 'nbd-server-start', { addr }, schema, raw)).toBeNull();
  });

  it('lets object-add create throttle groups only and qom-set change throttle settings only', () => {
    expect(classOf('operator', 'object-add', { 'qom-type': 'throttle-group', id: 'tg' })).toBe(
      'allowed',
    );
    expect(classOf('operator', 'object-add', { 'qom-type': 'secret', id: 's', data: 'x' })).toBe(
      'BlockscopeDenied',
    );
    expect(classOf('operator', 'qom-set', { path: 'tg', property: 'limits', value: {} })).toBe(
      'allowed',
    );
    expect(classOf('operator', 'qom-set', { path: '/machine', property: 'x', value: 1 })).toBe(
      'BlockscopeDenied',
    );
  });

  it('requires an explicit backing for every format node that can have one, nested trees too', () => {
    const file = { driver: 'file', filename: join(images, 'a.qcow2') };
    for (const driver of ['qcow2', 'qed', 'qcow', 'vmdk']) {
      expect(classOf('operator', 'blockdev-add', { driver, 'node-name': 'n', file })).toBe(
        'BlockscopeDenied',
      );
    }
    const top = { driver: 'qcow2', 'node-name': 'top', file, backing: { driver: 'qcow2', file } };
    expect(classOf('operator', 'blockdev-add', top)).toBe('BlockscopeDenied');
    const reopen = { options: [{ driver: 'qcow2', 'node-name': 'top', file: 'f' }] };
    expect(classOf('operator', 'blockdev-reopen', reopen)).toBe('BlockscopeDenied');
    // A reopen restates open nodes: no header read for them, but new inline trees are read.
    const restate = {
      options: [{ driver: 'qcow2', 'node-name': 'top', file: 'f', backing: null }],
    };
    expect(policy.review('operator', 'blockdev-reopen', restate, schema, raw)).toEqual({
      refusal: null,
      preCheck: null,
    });
    const inline = {
      ...restate.options[0],
      backing: { driver: 'qcow2', file: 'f', backing: null },
    };
    expect(
      policy.review('operator', 'blockdev-reopen', { options: [inline] }, schema, raw).preCheck,
    ).not.toBeNull();
    const rawNode = { driver: 'raw', 'node-name': 'r', file };
    expect(classOf('operator', 'blockdev-add', rawNode)).toBe('allowed');
    // A qcow2 without data-file on a node the proxy does not know leaves a check against QEMU;
    // on an inline file its header is read at once (here: the data-file bit is set).
    const verdict = policy.review(
      'operator',
      'blockdev-add',
      { driver: 'qcow2', 'node-name': 'n', file: 'unknown-node', backing: null },
      schema,
      raw,
    );
    expect(verdict.refusal).toBeNull();
    expect(verdict.preCheck).not.toBeNull();
    const header = Buffer.alloc(4096);
    header.writeUInt32BE(0x514649fb, 0);
    header.writeUInt32BE(3, 4);
    header.writeUInt32BE(16, 20);
    header.writeBigUInt64BE(1n << 2n, 72);
    header.writeUInt32BE(104, 100);
    writeFileSync(join(images, 'external.qcow2'), header);
    const external = { driver: 'file', filename: join(images, 'external.qcow2') };
    const inlineAdd = { driver: 'qcow2', 'node-name': 'n', file: external, backing: null };
    expect(policy.review('operator', 'blockdev-add', inlineAdd, schema, raw)).toMatchObject({
      refusal: { class: 'BlockscopeDenied', desc: expect.stringMatching(/data-file/) },
      preCheck: null,
    });
    const explicit = { driver: 'qcow2', 'node-name': 'n', file, backing: null, 'data-file': 'd' };
    expect(policy.review('operator', 'blockdev-add', explicit, schema, raw).preCheck).toBeNull();
  });

  it('confines backing file names written into headers and refuses relative, json: and protocol names', () => {
    const create = (backing: string) =>
      classOf('operator', 'blockdev-create', {
        'job-id': 'c',
        options: { driver: 'qcow2', file: 'f', size: 1024, 'backing-file': backing },
      });
    expect(create(join(images, 'base.qcow2'))).toBe('allowed');
    // An absolute name outside is left to the pre-check: only a file QEMU has open passes.
    expect(create('/etc/hostname')).toBe('allowed');
    const outside = {
      'job-id': 'c',
      options: { driver: 'qcow2', file: 'f', size: 1024, 'backing-file': '/etc/hostname' },
    };
    expect(
      policy.review('operator', 'blockdev-create', outside, schema, raw).preCheck,
    ).not.toBeNull();
    expect(create('base.qcow2')).toBe('BlockscopePathNotAllowed');
    expect(create('json:{"driver":"file","filename":"/etc/hostname"}')).toBe(
      'BlockscopePathNotAllowed',
    );
    expect(create('nbd:127.0.0.1:10809')).toBe('BlockscopePathNotAllowed');
    const change = { device: 'd', 'image-node-name': 'n', 'backing-file': '/etc/hostname' };
    expect(
      policy.review('operator', 'change-backing-file', change, schema, raw).preCheck,
    ).not.toBeNull();
    const stream = { device: 'd', 'backing-file': '../etc/hostname' };
    expect(classOf('operator', 'block-stream', stream)).toBe('BlockscopePathNotAllowed');
    expect(classOf('operator', 'block-commit', stream)).toBe('BlockscopePathNotAllowed');
  });

  it('refuses vvfat and checks opens of existing images by file name before sending', () => {
    const vvfat = { driver: 'vvfat', 'node-name': 'v', dir: images };
    expect(classOf('operator', 'blockdev-add', vvfat)).toBe('BlockscopeDenied');
    const target = join(images, 'existing.qcow2');
    const review = (args: object) =>
      policy.review(
        'operator',
        'drive-mirror',
        { device: 'd', sync: 'full', target, ...args },
        schema,
        raw,
      );
    expect(review({}).preCheck).toBeNull();
    expect(review({ mode: 'existing' }).preCheck).not.toBeNull();
    expect(review({ mode: 'existing', format: 'blkdebug' }).refusal?.class).toBe(
      'BlockscopeDenied',
    );
    const medium = { id: 'cd', filename: target };
    expect(
      policy.review('operator', 'blockdev-change-medium', medium, schema, raw).preCheck,
    ).not.toBeNull();
  });

  it('refuses file commands while the target schema is unknown', () => {
    const add = { driver: 'file', 'node-name': 'f', filename: join(images, 'a') };
    expect(policy.check('operator', 'blockdev-add', add, schema, null)?.class).toBe(
      'BlockscopeDenied',
    );
  });

  it('only reads on a libvirt guest unless --libvirt-allow-writes, naming the virsh way', () => {
    const origin = {
      managed: 'libvirt' as const,
      uri: 'qemu:///system',
      domain: 'web1',
      writable: false,
      disks: [],
    };
    const check = (command: string, args = {}, o = origin) =>
      policy.check('operator', command, args, schema, raw, o);
    expect(check('query-named-block-nodes', { flat: true })).toBeNull();
    expect(check('x-debug-query-block-graph')).toBeNull();
    const mirror = check('blockdev-mirror', {
      device: 'libvirt-1-format',
      target: 't',
      sync: 'full',
    });
    expect(mirror?.class).toBe('BlockscopeDenied');
    expect(mirror?.desc).toMatch(/'web1' is managed by libvirt/);
    expect(mirror?.desc).toMatch(/virsh blockcopy web1 DISK DEST/);
    expect(check('block-commit', { device: 'd' })?.desc).toMatch(/virsh blockcommit web1/);
    expect(check('block-stream', { device: 'd' })?.desc).toMatch(/virsh blockpull web1/);
    expect(check('blockdev-backup', {})?.desc).toMatch(/virsh backup-begin web1.*domfsfreeze/);
    expect(check('block_set_io_throttle', {})?.desc).toMatch(/virsh blkdeviotune web1/);
    expect(check('block-job-cancel', { device: 'j' })?.desc).toMatch(/blockjob web1 DISK --abort/);
    expect(check('nbd-server-start', {})?.desc).toMatch(/backup-begin .*pull/);
    // hard refusals and the viewer's rule come first; the schema is still asked
    expect(check('quit')?.desc).toMatch(/outside the block layer/);
    expect(policy.check('viewer', 'block-stream', {}, schema, raw, origin)?.desc).toMatch(
      /viewer role/,
    );
    expect(check('blockdev-set-active')?.class).toBe('CommandNotFound');
    // a command lifted by --allow-command is still refused on a read-only libvirt guest
    const open = new Policy({ allowPaths: [], allowCommands: ['human-monitor-command'] });
    expect(open.check('operator', 'human-monitor-command', {}, schema, raw, origin)?.desc).toMatch(
      /managed by libvirt/,
    );
    // with --libvirt-allow-writes the usual operator checks apply
    const writable = { ...origin, writable: true };
    expect(check('block-stream', { device: 'd' }, writable)).toBeNull();
    expect(
      check('blockdev-add', { driver: 'file', 'node-name': 'n', filename: '/etc/passwd' }, writable)
        ?.class,
    ).toBe('BlockscopePathNotAllowed');
  });
});
