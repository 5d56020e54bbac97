import {
  linkSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkExposeDirs, parseExpose } from './expose-config.ts';
import { ExposedSockets, type ClientInfo } from './exposed-sockets.ts';

let dir: string;
let sockets: ExposedSockets | null = null;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'blockscope-expose-unit-'));
});
afterEach(() => {
  sockets?.close();
  sockets = null;
  rmSync(dir, { recursive: true, force: true });
});

function exposed(gid?: number) {
  const clients: ClientInfo[] = [];
  const logs: string[] = [];
  sockets = new ExposedSockets({
    dirs: [{ dir, role: 'viewer', ...(gid !== undefined ? { gid } : {}) }],
    onClient: (socket: Socket, info) => {
      clients.push(info);
      socket.end('hello\n');
    },
    log: (line) => logs.push(line),
  });
  return { sockets, clients, logs };
}

const reach = (path: string) =>
  new Promise<string>((resolve, reject) => {
    const socket = connect(path);
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });

describe('ExposedSockets', () => {
  it('makes NAME.qmp mode 0600 that reaches the target, and removes it with the target', async () => {
    const { sockets, clients } = exposed();
    await sockets.open('vm1');
    const path = join(dir, 'vm1.qmp');
    const stats = statSync(path);
    expect(stats.isSocket()).toBe(true);
    expect(stats.mode & 0o777).toBe(0o600);
    expect(await reach(path)).toBe('hello\n');
    expect(clients).toEqual([{ target: 'vm1', role: 'viewer', peer: `unix:${path}` }]);
    sockets.remove('vm1');
    expect(statSync(path, { throwIfNoEntry: false })).toBeUndefined();
    // Nothing else was left in the directory (the private directory it was bound in is gone).
    expect(readdir()).toEqual([]);
  });

  it('gives the socket mode 0660 and the group when one is named', async () => {
    const gid = process.getgid!();
    const { sockets } = exposed(gid);
    await sockets.open('vm1');
    const stats = statSync(join(dir, 'vm1.qmp'));
    expect(stats.mode & 0o777).toBe(0o660);
    expect(stats.gid).toBe(gid);
  });

  it('never deletes a regular file at the name, and says so', async () => {
    const path = join(dir, 'vm1.qmp');
    writeFileSync(path, 'precious');
    const { sockets } = exposed();
    await expect(sockets.open('vm1')).rejects.toThrow(
      `${path} exists and is a regular file; Blockscope never deletes it`,
    );
    expect(readFileSync(path, 'utf8')).toBe('precious');
    expect(readdir()).toEqual(['vm1.qmp']);
  });

  it('leaves a socket that another process listens on alone', async () => {
    const path = join(dir, 'vm1.qmp');
    const other = createServer((s) => s.on('error', () => {}).end('other\n'));
    await new Promise<void>((resolve) => other.listen(path, resolve));
    const { sockets } = exposed();
    await expect(sockets.open('vm1')).rejects.toThrow('another process listens on');
    expect(await reach(path)).toBe('other\n');
    await new Promise<void>((resolve) => other.close(() => resolve()));
  });

  it('replaces a socket nobody listens on (left by a run that was killed)', async () => {
    const path = join(dir, 'vm1.qmp');
    const bound = join(dir, 'old');
    const old = createServer();
    await new Promise<void>((resolve) => old.listen(bound, resolve));
    linkSync(bound, path);
    await new Promise<void>((resolve) => old.close(() => resolve())); // unlinks `old` only
    expect(statSync(path).isSocket()).toBe(true);
    const { sockets } = exposed();
    await sockets.open('vm1');
    expect(await reach(path)).toBe('hello\n');
  });

  it('removes only the file it made', async () => {
    const { sockets } = exposed();
    await sockets.open('vm1');
    const path = join(dir, 'vm1.qmp');
    rmSync(path);
    writeFileSync(path, 'someone else');
    sockets.close();
    expect(readFileSync(path, 'utf8')).toBe('someone else');
  });

  it('refuses a name that cannot be a file name or a socket path that is too long', async () => {
    const { sockets } = exposed();
    await expect(sockets.open('.hidden')).rejects.toThrow('cannot be a file name');
    await expect(sockets.open('x'.repeat(120))).rejects.toThrow('longer than a unix socket path');
  });
});

describe('--expose', () => {
  it('parses the directory, role and group', () => {
    expect(parseExpose('/run/qmp')).toEqual({ dir: '/run/qmp', role: 'operator' });
    expect(parseExpose('/run/qmp,role=viewer,group=qmp-users')).toEqual({
      dir: '/run/qmp',
      role: 'viewer',
      group: 'qmp-users',
    });
    expect(() => parseExpose('/run/qmp,role=admin')).toThrow('expected DIR[,role=');
    expect(() => parseExpose('/run/qmp,mode=0777')).toThrow('expected DIR[,role=');
  });

  it('refuses a directory that is missing, holds a --target socket, or has an unknown group', () => {
    expect(() => checkExposeDirs([{ dir: join(dir, 'none'), role: 'operator' }], [])).toThrow(
      'not an existing directory',
    );
    expect(() => checkExposeDirs([{ dir, role: 'operator' }], [], [dir])).toThrow(
      /also a --target-dir/,
    );
    expect(() => checkExposeDirs([{ dir, role: 'operator' }], [join(dir, 'qemu.sock')])).toThrow(
      `it holds the QMP socket ${join(dir, 'qemu.sock')} of a --target`,
    );
    expect(() =>
      checkExposeDirs([{ dir, role: 'operator', group: 'no-such-group-here' }], []),
    ).toThrow('no such group');
    expect(checkExposeDirs([{ dir, role: 'viewer', group: '0' }], [])).toEqual([
      { dir, role: 'viewer', gid: 0 },
    ]);
  });
});

function readdir(): string[] {
  return readdirSync(dir).sort();
}

describe('startProxy with --expose', () => {
  it('stops before serving anything when a target’s socket name is taken by a regular file', async () => {
    const { startProxy } = await import('./server.ts');
    const path = join(dir, 'vm1.qmp');
    writeFileSync(path, 'precious');
    const config = {
      listen: { host: '127.0.0.1', port: 0 },
      targets: [{ name: 'vm1', address: { type: 'unix' as const, path: '/nonexistent/qmp.sock' } }],
      allowPaths: [],
      expose: [{ dir, role: 'operator' as const }],
    };
    await expect(startProxy(config, { tokenStore: 'ephemeral' })).rejects.toThrow(
      `--expose: ${path} exists and is a regular file; Blockscope never deletes it`,
    );
    expect(readFileSync(path, 'utf8')).toBe('precious');
    expect(readdir()).toEqual(['vm1.qmp']);
  });
});
