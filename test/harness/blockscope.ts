// Starting the real `bin/blockscope` as a child process, for e2e tests and benchmarks.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'blockscope');

export interface Served {
  /** The URL printed by the server, with `#token=…`. */
  url: string;
  origin: string;
  token: string;
  stop(): Promise<void>;
}

/** Starts `bin/blockscope <args>` on a free port and waits for its "Blockscope: URL" line. */
export async function startBlockscope(args: string[]): Promise<Served> {
  const child: ChildProcess = spawn(process.execPath, [BIN, ...args, '--listen', '127.0.0.1:0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
