// Helpers for the libvirt integration tests: the proxy started in-process with --libvirt URIs and
// short retry pauses, and waits on GET /api/targets and /api/target-sources.
import type { ServerConfig } from '../../proxy/config.ts';
import { startProxy, type ProxyHandle } from '../../proxy/server.ts';
import { proxyConfig } from './proxy-helpers.ts';

export type TargetRow = {
  name: string;
  state: string;
  reason?: string;
  version?: string;
  managed?: string;
  uri?: string;
  domain?: string;
  writable?: boolean;
  disks?: { type: string; device: string; target: string; source: string }[];
};

export type SourceRow = {
  kind: string;
  id: string;
  state: string;
  reason?: string;
  retryAt?: number;
  targets: number;
};

export interface LibvirtProxy extends ProxyHandle {
  /** What the server noted (an unreachable connection, a guest not watched). */
  log: string[];
}

export async function startLibvirtProxy(
  uris: string[],
  extra: Partial<ServerConfig> = {},
): Promise<LibvirtProxy> {
  const log: string[] = [];
  const proxy = await startProxy(proxyConfig([], { libvirt: uris, ...extra }), {
    tokenStore: 'ephemeral',
    upstream: { greetingTimeoutMs: 2_000, minBackoffMs: 50, maxBackoffMs: 500 },
    libvirt: { minBackoffMs: 300, maxBackoffMs: 1_500, resyncMs: 3_000 },
    goneRetentionMs: 60_000,
    log: (line) => log.push(line),
  });
  return Object.assign(proxy, { log });
}

async function getJson<T>(proxy: ProxyHandle, path: string): Promise<T> {
  const response = await fetch(`${proxy.origin}${path}`, {
    headers: { Authorization: `Bearer ${proxy.token}` },
  });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

export const listTargets = (proxy: ProxyHandle) => getJson<TargetRow[]>(proxy, '/api/targets');
export const listSources = (proxy: ProxyHandle) =>
  getJson<SourceRow[]>(proxy, '/api/target-sources');

/** Asks `read` every 100 ms until `done` holds for its answer; returns that answer. */
export async function waitUntil<T>(
  what: string,
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await read();
    if (done(last)) return last;
    if (Date.now() > deadline) {
      throw new Error(`${what} within ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The target row once `done` holds for it. */
export function waitForTarget(
  proxy: ProxyHandle,
  name: string,
  done: (row: TargetRow) => boolean,
  timeoutMs?: number,
): Promise<TargetRow> {
  return waitUntil(
    `target ${name}`,
    async () => (await listTargets(proxy)).find((t) => t.name === name),
    (row) => row !== undefined && done(row),
    timeoutMs,
  ) as Promise<TargetRow>;
}
