// libvirt's QMP passthrough for one running guest: `virt-qemu-qmp-proxy -c URI UUID SOCKET`
// (package libvirt-clients-qemu) serves a QMP socket whose commands libvirt relays to the guest's
// monitor (virDomainQemuMonitorCommand) and whose events libvirt forwards. Blockscope connects to
// that socket as to any unix target. The tool is Python and needs Debian's own interpreter with
// python3-libvirt, whatever `python3` comes first on PATH, so it is started through
// /usr/bin/python3. It serves one client and one command at a time (MonitorTraits).
// If it exits while the guest runs (a libvirt connection that broke), it is started again with
// growing pauses; stop() ends it and removes its socket.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { libvirtClientEnv } from './virsh.ts';

export const PASSTHROUGH_PYTHON = '/usr/bin/python3';
export const PASSTHROUGH_SCRIPT = '/usr/bin/virt-qemu-qmp-proxy';

export interface PassthroughOptions {
  uri: string;
  /** The guest's UUID (unambiguous: the tool takes an all-digit name for a domain id). */
  uuid: string;
  socketPath: string;
  /** First pause before a restart; doubles up to maxRestartMs. */
  minRestartMs?: number;
  maxRestartMs?: number;
}

export class Passthrough {
  private child: ChildProcess | null = null;
  private wanted = false;
  /** The connection is down: no restarts until kick(). */
  private suspended = false;
  private restartMs: number;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readyWaiters: (() => void)[] = [];
  /** The tool's last words when it exited (its error, for the target's reason). */
  lastError = '';
  starts = 0;

  constructor(private readonly options: PassthroughOptions) {
    this.restartMs = options.minRestartMs ?? 500;
  }

  /** Starts the tool; resolves when its socket exists (or when stopped first). */
  start(): Promise<void> {
    this.wanted = true;
    const ready = new Promise<void>((resolve) => this.readyWaiters.push(resolve));
    this.spawn();
    return ready;
  }

  /**
   * libvirt's connection is down: the tool is ended, so the target shows as disconnected instead
   * of connected to a relay that can no longer reach the guest, and it is not restarted until
   * kick().
   */
  suspend(): void {
    this.suspended = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.child?.kill('SIGTERM');
  }

  /** The connection is back: start the tool now if it is not running. */
  kick(): void {
    this.suspended = false;
    if (!this.wanted || this.child) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.restartMs = this.options.minRestartMs ?? 500;
    this.spawn();
  }

  stop(): void {
    this.wanted = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.child?.kill('SIGTERM');
    this.child = null;
    rmSync(this.options.socketPath, { force: true });
    this.settleReady();
  }

  private spawn(): void {
    if (!this.wanted || this.suspended) return;
    const { uri, uuid, socketPath } = this.options;
    rmSync(socketPath, { force: true });
    this.starts++;
    const child = spawn(PASSTHROUGH_PYTHON, [PASSTHROUGH_SCRIPT, '-c', uri, uuid, socketPath], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: libvirtClientEnv(),
    });
    this.child = child;
    let said = '';
    const collect = (chunk: Buffer) => (said = (said + chunk.toString('utf8')).slice(-2000));
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    const started = Date.now();
    const poll = setInterval(() => {
      if (this.child !== child) return clearInterval(poll);
      if (existsSync(socketPath)) {
        clearInterval(poll);
        this.settleReady();
      }
    }, 25);
    child.on('error', (error) => {
      said = error.message;
    });
    child.on('exit', () => {
      clearInterval(poll);
      if (this.child !== child) return;
      this.child = null;
      this.lastError =
        said
          .trim()
          .split('\n')
          .at(-1)
          ?.replace(/^\S*virt-qemu-qmp-proxy:\s*/, '') ?? '';
      if (!this.wanted || this.suspended) return;
      // A run that lasted a while was healthy: the next failure starts the pauses over.
      if (Date.now() - started > 30_000) this.restartMs = this.options.minRestartMs ?? 500;
      const delay = this.restartMs;
      this.restartMs = Math.min(this.options.maxRestartMs ?? 30_000, this.restartMs * 2);
      this.timer = setTimeout(() => {
        this.timer = null;
        this.spawn();
      }, delay);
    });
  }

  private settleReady(): void {
    for (const resolve of this.readyWaiters.splice(0)) resolve();
  }
}
