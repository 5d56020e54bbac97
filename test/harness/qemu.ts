// The real-QEMU harness shared by integration tests and the e2e suite.
// Each QEMU runs in a fresh temporary directory with two QMP monitors: `qmp.sock` for the code
// under test and `direct.sock` for the test's own checks. Everything is removed on stop, and
// anything still running when the test process exits is killed.
import { mkdtemp, rm } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startQemu, type QemuKind, type RunningQemu } from '../../proxy/qemu/launch.ts';
import { DirectQmp } from './direct-qmp.ts';

export {
  createImage,
  writePatterns,
  imageChain,
  imagesIdentical,
} from '../../proxy/qemu/images.ts';

export interface TestQemu {
  dir: string;
  qmpSocket: string;
  directSocket: string;
  extraSockets: string[];
  process: RunningQemu;
  /** The test's own QMP connection (on the second monitor). */
  direct: DirectQmp;
  stop(): Promise<void>;
}

const live = new Set<{ pid: number; dir: string }>();
process.once('exit', () => {
  for (const { pid, dir } of live) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
    rmSync(dir, { recursive: true, force: true });
  }
});

export async function makeTempDir(prefix = 'blockscope-test-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export interface StartOptions {
  kind?: QemuKind;
  /** Extra arguments; a function receives the temporary directory to place images in. */
  args?: string[] | ((dir: string) => string[] | Promise<string[]>);
  /** Runs before QEMU starts, to create images in the directory. */
  prepare?: (dir: string) => Promise<void>;
  dir?: string;
  /** More monitors, `extra-0.sock` …, for tests that need connections of their own. */
  extraMonitors?: number;
}

export async function startTestQemu(options: StartOptions = {}): Promise<TestQemu> {
  const dir = options.dir ?? (await makeTempDir());
  const entry = { pid: -1, dir };
  live.add(entry);
  try {
    await options.prepare?.(dir);
    const args =
      typeof options.args === 'function' ? await options.args(dir) : (options.args ?? []);
    const qmpSocket = join(dir, 'qmp.sock');
    const directSocket = join(dir, 'direct.sock');
    const extraSockets = Array.from({ length: options.extraMonitors ?? 0 }, (_, i) =>
      join(dir, `extra-${i}.sock`),
    );
    const process = await startQemu({
      kind: options.kind ?? 'system',
      qmpSockets: [qmpSocket, directSocket, ...extraSockets],
      args,
    });
    entry.pid = process.pid;
    const direct = await DirectQmp.connect(directSocket);
    return {
      dir,
      qmpSocket,
      directSocket,
      extraSockets,
      process,
      direct,
      async stop() {
        direct.close();
        await process.stop();
        await rm(dir, { recursive: true, force: true });
        live.delete(entry);
      },
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    live.delete(entry);
    throw error;
  }
}
