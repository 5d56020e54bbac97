// Starting and stopping a QEMU process (qemu-system or qemu-storage-daemon) with QMP on unix sockets.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { qemuBinaries } from './binaries.ts';

export type QemuKind = 'system' | 'storage-daemon';

export interface QemuLaunch {
  kind: QemuKind;
  /** QMP monitor sockets to create; the first is the one a proxy connects to. */
  qmpSockets: string[];
  /** Block and device arguments appended after the fixed ones. */
  args: string[];
}

export interface RunningQemu {
  kind: QemuKind;
  pid: number;
  qmpSockets: string[];
  /** Resolves when the process has exited, with its exit code or signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL after a grace period. Safe to call more than once. */
  stop(): Promise<void>;
  stderr(): string;
}

function baseArgs(launch: QemuLaunch): {
  command: string;
  args: string[];
  env: Record<string, string>;
} {
  const bin = qemuBinaries();
  if (launch.kind === 'system') {
    const monitors = launch.qmpSockets.flatMap((path) => [
      '-qmp',
      `unix:${path},server=on,wait=off`,
    ]);
    return {
      command: bin.system,
      args: [
        ...bin.systemArgs,
        ...['-M', 'q35', '-accel', 'tcg', '-nodefaults', '-display', 'none', '-S'],
        ...monitors,
        ...launch.args,
      ],
      env: bin.env,
    };
  }
  const monitors = launch.qmpSockets.flatMap((path, i) => [
    '--chardev',
    `socket,id=qmp${i},path=${path},server=on,wait=off`,
    '--monitor',
    `chardev=qmp${i}`,
  ]);
  return { command: bin.storageDaemon, args: [...monitors, ...launch.args], env: bin.env };
}

// QEMU binds a monitor socket (the file appears) a moment before it listens on it; a client that
// connects in between is refused. On Linux /proc/net/unix shows the listening flag, so wait for it.
function listening(path: string): boolean {
  if (!existsSync(path)) return false;
  let table: string;
  try {
    table = readFileSync('/proc/net/unix', 'utf8');
  } catch {
    return true; // no procfs: the file is the best sign there is
  }
  // Columns: Num RefCount Protocol Flags Type St Inode Path; Flags 00010000 = accepting connections.
  return table
    .split('\n')
    .some((line) => line.endsWith(` ${path}`) && line.split(/\s+/)[3] === '00010000');
}

export async function startQemu(launch: QemuLaunch, timeoutMs = 15_000): Promise<RunningQemu> {
  const { command, args, env } = baseArgs(launch);
  const child: ChildProcess = spawn(command, args, {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    if (stderr.length < 65_536) stderr += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', () => resolve({ code: -1, signal: null }));
  });
  let done = false;
  void exited.then(() => (done = true));

  const deadline = Date.now() + timeoutMs;
  while (!launch.qmpSockets.every(listening)) {
    if (done) {
      throw new Error(`${command} exited during start-up: ${stderr.trim() || 'no message'}`);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${command} did not listen on its QMP sockets within ${timeoutMs} ms`);
    }
    await sleep(25);
  }

  return {
    kind: launch.kind,
    pid: child.pid ?? -1,
    qmpSockets: launch.qmpSockets,
    exited,
    stderr: () => stderr,
    async stop() {
      if (done) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
