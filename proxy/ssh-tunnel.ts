// An ssh:// target: OpenSSH forwards a local unix socket (in the proxy's private 0700 directory)
// to the QMP socket on the other host, and the target's upstream connects to the local end as to
// any local monitor. The operator's ssh does the work: their keys and agent, ~/.ssh/config (or
// --ssh-config), known_hosts with host key checking on, and never a prompt (BatchMode). When ssh
// exits (the host went down, the link dropped, a key was refused) the upstream is held with the
// reason in plain words and ssh is started again after a doubling pause.
//
// ssh must not outlive the proxy: it is stopped on every way out, and it is started through
// `setpriv --pdeathsig SIGTERM` (util-linux), so the kernel ends it even when the proxy itself is
// killed with SIGKILL.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SshAddress } from './config.ts';
import type { Upstream } from './upstream.ts';

export const SETPRIV = '/usr/bin/setpriv';
export const SSH = '/usr/bin/ssh';

export interface SshTunnelOptions {
  address: SshAddress;
  /** The forward's local end. */
  localPath: string;
  /** --ssh-config */
  configFile?: string;
  minRestartMs?: number;
  maxRestartMs?: number;
}

/** The arguments of the ssh that forwards `localPath` to the target's socket. */
export function sshArguments(options: SshTunnelOptions): string[] {
  const { address, localPath, configFile } = options;
  return [
    ...(configFile ? ['-F', configFile] : []),
    '-N',
    '-T',
    // given here, these win over any ssh_config: no prompts, host keys checked, a forward that
    // cannot be set up ends ssh instead of leaving a connection that forwards nothing
    '-o',
    'BatchMode=yes',
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    'ExitOnForwardFailure=yes',
    '-o',
    'StreamLocalBindUnlink=yes',
    '-o',
    'ServerAliveInterval=10',
    '-o',
    'ServerAliveCountMax=3',
    '-o',
    'ConnectTimeout=10',
    ...(address.port !== undefined ? ['-p', String(address.port)] : []),
    ...(address.user !== undefined ? ['-l', address.user] : []),
    '-L',
    `${localPath}:${address.path}`,
    '--',
    address.host,
  ];
}

/** ssh's last words in plain terms: what the operator has to fix. */
export function classifySshFailure(said: string, exitCode: number | null): string {
  const lines = said
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^Warning: Permanently added/.test(l));
  const detail =
    lines.find((l) =>
      /host key|Permission denied|Connection|Could not resolve|forward|No route|unreachable|timed out|closed by|Broken pipe|Timeout/i.test(
        l,
      ),
    ) ??
    lines.at(-1) ??
    '';
  const plain = (() => {
    if (/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key for .* has changed/i.test(said))
      return 'host key changed';
    if (/Host key verification failed|No \S+ host key is known|host key is not known/i.test(said))
      return 'host key unknown';
    if (
      /Permission denied|Too many authentication failures|no more authentication methods/i.test(
        said,
      )
    )
      return 'authentication failed';
    if (
      /Could not resolve hostname|Connection refused|No route to host|Network is unreachable|Connection timed out|Operation timed out/i.test(
        said,
      )
    )
      return 'cannot reach host';
    if (/forwarding failed|cannot listen to path|bind.*Address already in use/i.test(said))
      return 'the forward could not be set up';
    if (
      /closed by remote host|Connection reset|Broken pipe|Timeout, server|Connection closed/i.test(
        said,
      )
    )
      return 'link lost';
    if (exitCode === null) return 'link lost';
    return `ssh exited with status ${exitCode}`;
  })();
  return detail ? `${plain} (ssh: ${detail.slice(0, 300)})` : plain;
}

export class SshTunnel {
  private child: ChildProcess | null = null;
  private wanted = false;
  private restartMs: number;
  private timer: ReturnType<typeof setTimeout> | null = null;
  starts = 0;
  /** What the last ssh said when it ended, classified. */
  lastFailure: string | undefined;

  constructor(
    private readonly options: SshTunnelOptions,
    private readonly upstream: Upstream,
  ) {
    this.restartMs = options.minRestartMs ?? 500;
    upstream.onState(({ state }) => {
      // a working connection: the next failure starts the pauses over
      if (state === 'connected') this.restartMs = this.options.minRestartMs ?? 500;
    });
  }

  /** ssh's process id while it runs (for tests that cut the link). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    this.wanted = true;
    this.upstream.hold('connecting through ssh');
    this.spawn();
  }

  stop(): void {
    this.wanted = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const child = this.child;
    this.child = null;
    child?.kill('SIGTERM');
    rmSync(this.options.localPath, { force: true });
  }

  private spawn(): void {
    if (!this.wanted) return;
    rmSync(this.options.localPath, { force: true });
    this.starts++;
    const child = spawn(
      SETPRIV,
      ['--pdeathsig', 'SIGTERM', '--', SSH, ...sshArguments(this.options)],
      // stdin is a pipe nobody writes: ssh -N does not read it, but it stays open only while the
      // proxy lives
      { stdio: ['pipe', 'ignore', 'pipe'] },
    );
    this.child = child;
    let said = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      said = (said + text).slice(-4000);
      // ssh is up, but the far end refused the forward's connection (no such socket, nobody
      // listening, no permission): say so instead of "QEMU closed the connection", and try again
      // after a pause that doubles like ssh's own
      const refused = /open failed: (.*)/.exec(text)?.[1]?.trim();
      if (refused && this.child === child) this.remoteRefused(child, refused);
    });
    // The local socket appears once ssh is logged in and listening (-L binds after authentication).
    const poll = setInterval(() => {
      if (this.child !== child) return clearInterval(poll);
      if (existsSync(this.options.localPath)) {
        clearInterval(poll);
        this.upstream.resume();
      }
    }, 25);
    child.on('error', (error) => {
      said = error.message;
    });
    child.on('exit', (code) => {
      clearInterval(poll);
      if (this.child !== child) return;
      this.child = null;
      this.lastFailure = classifySshFailure(said, code);
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      if (!this.wanted) return;
      const delay = this.restartMs * (0.75 + Math.random() * 0.5);
      this.restartMs = Math.min(this.options.maxRestartMs ?? 30_000, this.restartMs * 2);
      this.upstream.hold(
        `${this.lastFailure}; trying again in ${Math.max(1, Math.round(delay / 1000))} s`,
      );
      this.timer = setTimeout(() => {
        this.timer = null;
        this.spawn();
      }, delay);
    });
  }

  private remoteRefused(child: ChildProcess, why: string): void {
    if (this.timer) return;
    const delay = this.restartMs * (0.75 + Math.random() * 0.5);
    this.restartMs = Math.min(this.options.maxRestartMs ?? 30_000, this.restartMs * 2);
    this.upstream.hold(
      `remote socket ${this.options.address.path} cannot be opened (ssh: ${why.slice(0, 200)}); trying again in ${Math.max(1, Math.round(delay / 1000))} s`,
    );
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.child === child) this.upstream.resume();
    }, delay);
  }
}

/** Every tunnel that runs, ended when the process exits however it can still run code. */
const running = new Set<SshTunnel>();
let exitHookInstalled = false;

export function trackTunnel(tunnel: SshTunnel): () => void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const t of running) t.stop();
    });
  }
  running.add(tunnel);
  return () => running.delete(tunnel);
}

/** The ssh:// targets of one proxy: their forwards' private directory and their tunnels. */
export class SshTunnels {
  private dir: string | null = null;
  private readonly tunnels = new Map<string, { tunnel: SshTunnel; untrack: () => void }>();
  private started = false;

  constructor(
    private readonly configFile: string | undefined,
    private readonly restart: { minRestartMs?: number; maxRestartMs?: number } = {},
  ) {}

  /** Where the upstream of target `name` connects: the forward's local end. */
  localAddress(name: string): { type: 'unix'; path: string } {
    this.dir ??= mkdtempSync(join(tmpdir(), 'blockscope-ssh-'));
    return { type: 'unix', path: join(this.dir, `${name}.sock`) };
  }

  add(name: string, address: SshAddress, upstream: Upstream): SshTunnel {
    const tunnel = new SshTunnel(
      {
        address,
        localPath: this.localAddress(name).path,
        ...(this.configFile !== undefined ? { configFile: this.configFile } : {}),
        ...this.restart,
      },
      upstream,
    );
    this.tunnels.set(name, { tunnel, untrack: trackTunnel(tunnel) });
    if (this.started) tunnel.start();
    return tunnel;
  }

  get(name: string): SshTunnel | undefined {
    return this.tunnels.get(name)?.tunnel;
  }

  start(): void {
    this.started = true;
    for (const { tunnel } of this.tunnels.values()) tunnel.start();
  }

  stop(): void {
    for (const { tunnel, untrack } of this.tunnels.values()) {
      tunnel.stop();
      untrack();
    }
    this.tunnels.clear();
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = null;
  }
}

/** ssh://[USER@]HOST[:PORT]/PATH as the operator wrote it. */
export function formatSshAddress(address: SshAddress): string {
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  return `ssh://${address.user ? `${address.user}@` : ''}${host}${address.port !== undefined ? `:${address.port}` : ''}${address.path}`;
}
