// Starting the real `bin/blockscope` (the compiled server) as a child process, for e2e tests and
// benchmarks.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { blockscopeBin } from './server-build.ts';

export interface Served {
  /** The URL printed by the server, with `#token=…`. */
  url: string;
  origin: string;
  token: string;
  pid: number;
  /** What the server has written to stderr so far (its notes: connections lost and back…). */
  stderr(): string;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** What node runs: bin/blockscope of this checkout by default (another copy, or a loader). */
  entry?: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Where it listens (a free loopback port by default): a restart on the same address. */
  listen?: string;
}

/** Starts `bin/blockscope <args>` on a free port and waits for its "Blockscope: URL" line. */
export async function startBlockscope(args: string[], options: StartOptions = {}): Promise<Served> {
  const entry = options.entry ?? [blockscopeBin()];
  const child: ChildProcess = spawn(
    process.execPath,
    [...entry, ...args, '--listen', options.listen ?? '127.0.0.1:0'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.env ? { env: options.env } : {}),
      ...(options.cwd ? { cwd: options.cwd } : {}),
    },
  );
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no URL from blockscope within 30 s: ${stderr}`)),
      30_000,
    );
    lines.on('line', (line) => {
      const match = /^Blockscope: (\S+)$/.exec(line);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`blockscope exited with ${code}: ${stderr}`));
    });
  });
  const parsed = new URL(url);
  return {
    url,
    origin: parsed.origin,
    token: new URLSearchParams(parsed.hash.slice(1)).get('token') ?? '',
    pid: child.pid!,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
