// A real Prometheus (Debian's `prometheus`) for tests: started on loopback on a free port with a
// temporary data directory, scraping one Blockscope every second with its bearer token, queried
// through its own HTTP API, and killed on stop (or when the test process exits).
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { makeTempDir } from './qemu.ts';

export interface TestPrometheus {
  url: string;
  /** Instant query; the result vector of Prometheus's /api/v1/query. */
  query(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  /** Resolves with the first query result `accept` takes, polling until `timeoutMs`. */
  waitFor<T>(
    expr: string,
    accept: (r: QueryResult) => T | undefined,
    timeoutMs?: number,
  ): Promise<T>;
  stop(): Promise<void>;
}

export type QueryResult = Awaited<ReturnType<TestPrometheus['query']>>;

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

/** Starts Prometheus scraping `target` (host:port) at /metrics with `token`, every second. */
export async function startPrometheus(target: string, token: string): Promise<TestPrometheus> {
  const dir = await makeTempDir('blockscope-prometheus-');
  const tokenFile = join(dir, 'token');
  await writeFile(tokenFile, token, { mode: 0o600 });
  const config = join(dir, 'prometheus.yml');
  // JSON is YAML: no YAML writer needed.
  await writeFile(
    config,
    JSON.stringify({
      global: { scrape_interval: '1s', scrape_timeout: '900ms' },
      scrape_configs: [
        {
          job_name: 'blockscope',
          metrics_path: '/metrics',
          authorization: { type: 'Bearer', credentials_file: tokenFile },
          static_configs: [{ targets: [target] }],
        },
      ],
    }),
  );
  const port = await freePort();
  const child = spawn(
    'prometheus',
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  live.add(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killer);
    }
    live.delete(child);
    await rm(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`prometheus exited (${child.exitCode}): ${stderr}`);
    }
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus not ready within 30 s: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  const query: TestPrometheus['query'] = async (expr) => {
    const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = (await response.json()) as {
      status: string;
      error?: string;
      data?: { resultType: string; result: QueryResult };
    };
    if (body.status !== 'success' || !body.data) {
      throw new Error(`query ${expr} failed: ${body.error}`);
    }
    return body.data.result;
  };

  return {
    url,
    query,
    async waitFor(expr, accept, timeoutMs = 30_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const last = await query(expr);
        const accepted = accept(last);
        if (accepted !== undefined) return accepted;
        if (Date.now() > until) {
          throw new Error(
            `${expr}: no accepted result in ${timeoutMs} ms; last ${JSON.stringify(last)}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    },
    stop,
  };
}
