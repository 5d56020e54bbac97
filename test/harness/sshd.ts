// An sshd of the test's own on 127.0.0.1, for qemu+ssh:// tests: a temporary host key and user key,
// key authentication only, and a client side that trusts exactly that host key. libvirt's ssh
// transport runs `ssh` from the URI's `command=`; here that is a script running /usr/bin/ssh with
// the test's client configuration (its key, its known_hosts, host key checking on), standing in
// for an operator's ~/.ssh, which a test must not touch. stop() ends sshd and every session it
// started, as a host that goes down would; start() brings it back on the same port and keys.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestSshd {
  dir: string;
  port: number;
  /** The client wrapper for libvirt's `command=` URI parameter. */
  sshCommand: string;
  /** qemu+ssh://root@127.0.0.1:PORT/system?socket=…&command=… for a libvirtd socket. */
  libvirtUri(socket: string): string;
  /** The sshd is down (its sessions too) until start(). */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops for good and removes the keys. */
  close(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createServer().listen(port, '127.0.0.1');
    socket.once('listening', () => socket.close(() => resolve(false)));
    socket.once('error', () => resolve(true));
  });
}

/** Child processes of `pid` (from /proc; sshd's per-connection processes start sessions of their own). */
function childrenOf(pid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) found.push(Number(entry));
    } catch {
      /* exited meanwhile */
    }
  }
  return found;
}

export async function startTestSshd(): Promise<TestSshd> {
  const dir = await mkdtemp(join(tmpdir(), 'blockscope-sshd-'));
  const port = await freePort();
  const hostKey = join(dir, 'host_ed25519');
  const userKey = join(dir, 'id_ed25519');
  await run('ssh-keygen', [
    '-q',
    '-t',
    'ed25519',
    '-N',
    '',
    '-C',
    'blockscope-test-host',
    '-f',
    hostKey,
  ]);
  await run('ssh-keygen', [
    '-q',
    '-t',
    'ed25519',
    '-N',
    '',
    '-C',
    'blockscope-test',
    '-f',
    userKey,
  ]);
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(`${userKey}.pub`));
  const hostPub = readFileSync(`${hostKey}.pub`, 'utf8').split(' ').slice(0, 2).join(' ');
  writeFileSync(join(dir, 'known_hosts'), `[127.0.0.1]:${port} ${hostPub}\n`);
  const config = join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      // the keys live in a temporary directory that sshd's ownership checks would refuse
      'StrictModes no',
      'LogLevel ERROR',
      '',
    ].join('\n'),
  );
  const clientConfig = join(dir, 'ssh_config');
  writeFileSync(
    clientConfig,
    [
      'Host *',
      `  IdentityFile ${userKey}`,
      '  IdentitiesOnly yes',
      `  UserKnownHostsFile ${join(dir, 'known_hosts')}`,
      '  GlobalKnownHostsFile /dev/null',
      '  StrictHostKeyChecking yes',
      '  BatchMode yes',
      '',
    ].join('\n'),
  );
  const sshCommand = join(dir, 'ssh');
  writeFileSync(sshCommand, `#!/bin/sh\nexec /usr/bin/ssh -F '${clientConfig}' "$@"\n`);
  chmodSync(sshCommand, 0o755);
  // sshd refuses to start without its privilege separation directory (systemd makes it on hosts).
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });

  let child: ChildProcess | null = null;
  let said = '';
  const start = async () => {
    said = '';
    child = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', config], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr?.on('data', (chunk: Buffer) => (said = (said + String(chunk)).slice(-4000)));
    const deadline = Date.now() + 10_000;
    while (!(await listening(port))) {
      if (child.exitCode !== null) throw new Error(`sshd exited: ${said}`);
      if (Date.now() > deadline) throw new Error(`sshd did not listen within 10 s: ${said}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };
  const stop = async () => {
    const current = child;
    child = null;
    if (!current?.pid || current.exitCode !== null) return;
    const exited = new Promise((resolve) => current.once('exit', resolve));
    // The sessions first (as a host that goes down drops its connections), then the listener.
    for (const session of childrenOf(current.pid)) {
      try {
        process.kill(session, 'SIGTERM');
      } catch {
        /* already gone */
      }
    }
    current.kill('SIGTERM');
    await exited;
  };
  process.once('exit', () => child?.kill('SIGKILL'));
  await start();
  return {
    dir,
    port,
    sshCommand,
    libvirtUri: (socket) =>
      `qemu+ssh://root@127.0.0.1:${port}/system?socket=${socket}&command=${sshCommand}`,
    stop,
    start,
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
