import { mkdtempSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Policy } from './policy.ts';

const root = mkdtempSync(join(tmpdir(), 'blockscope-policy-'));
const images = join(root, 'images');
mkdirSync(images);
symlinkSync('/etc', join(images, 'escape'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const schema = new Set([
  'query-status',
  'query-jobs',
  'blockdev-add',
  'blockdev-create',
  'drive-mirror',
  'blockdev-snapshot-sync',
  'transaction',
  'nbd-server-start',
  'block-export-add',
  'object-add',
  'qom-set',
  'human-monitor-command',
  'quit',
  'device_add',
  'migrate',
  'x-debug-query-block-graph',
  'cont',
]);
const policy = new Policy({ allowPaths: [images], allowCommands: [] });
const classOf = (role: 'operator' | 'viewer', command: string, args = {}) =>
  policy.check(role, command, args, schema)?.class ?? 'allowed';

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
    expect(add('relative.qcow2')).toBe('BlockscopePathNotAllowed');
    expect(add(`${images}/a\u0000b`)).toBe('BlockscopePathNotAllowed');
    const nested = {
      driver: 'qcow2',
      'node-name': 'q',
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
    expect(remote.check('operator', 'nbd-server-start', { addr }, schema)).toBeNull();
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
});
