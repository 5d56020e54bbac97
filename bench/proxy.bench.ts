// Proxy throughput and latency: the same commands pipelined straight to the QMP socket (baseline)
// and through the proxy from 1, 10 and 50 WebSocket sessions, with a ledger of every reply.
import { connect } from 'node:net';
import WebSocket from 'ws';
import type { Served } from '../test/harness/blockscope.ts';
import { percentile, type BenchContext } from './report.ts';

interface Run {
  seconds: number;
  latenciesMs: number[];
  lost: number;
  duplicated: number;
  misrouted: number;
}

/** Pipelines `count` commands on a fresh monitor connection (the second monitor of the QEMU). */
export async function directRun(
  socketPath: string,
  command: string,
  args: object | undefined,
  count: number,
): Promise<Run> {
  const socket = connect(socketPath);
  socket.setEncoding('utf8');
  let buffer = '';
  const lines: ((line: Record<string, unknown>) => void)[] = [];
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    let nl;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      const message = JSON.parse(line) as Record<string, unknown>;
      if (!('event' in message)) lines.shift()?.(message);
    }
  });
  const next = () => new Promise<Record<string, unknown>>((resolve) => lines.push(resolve));
  await next(); // greeting
  socket.write('{"execute":"qmp_capabilities"}\n');
  await next();
  const sentAt = new Map<number, number>();
  const seen = new Set<number>();
  const latencies: number[] = [];
  let duplicated = 0;
  let misrouted = 0;
  const start = performance.now();
  const replies = Array.from({ length: count }, () => next());
  for (let id = 0; id < count; id++) {
    sentAt.set(id, performance.now());
    socket.write(
      JSON.stringify({ execute: command, ...(args ? { arguments: args } : {}), id }) + '\n',
    );
  }
  for (const reply of replies) {
    const message = await reply;
    const id = message.id as number;
    if (!sentAt.has(id)) misrouted++;
    else if (seen.has(id)) duplicated++;
    else {
      seen.add(id);
      latencies.push(performance.now() - sentAt.get(id)!);
    }
  }
  const seconds = (performance.now() - start) / 1000;
  socket.destroy();
  return { seconds, latenciesMs: latencies, lost: count - seen.size, duplicated, misrouted };
}

/** Opens one proxy session (bearer token, as a script would) and negotiates. */
export async function openSession(served: Served, target: string): Promise<WebSocket> {
  const ws = new WebSocket(`${served.origin.replace('http', 'ws')}/api/qmp/${target}`, {
    headers: { Authorization: `Bearer ${served.token}` },
    perMessageDeflate: false,
  });
  const queue: Record<string, unknown>[] = [];
  let wake: (() => void) | null = null;
  ws.on('message', (data) => {
    queue.push(JSON.parse(String(data)) as Record<string, unknown>);
    wake?.();
  });
  const next = async () => {
    while (queue.length === 0) await new Promise<void>((r) => (wake = r));
    return queue.shift()!;
  };
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  await next(); // greeting
  ws.send(JSON.stringify({ execute: 'qmp_capabilities', id: 'neg' }));
  for (;;) {
    const message = await next();
    if (message.id === 'neg') break;
  }
  ws.removeAllListeners('message');
  return ws;
}

/** `count` commands spread over `sessions` sessions, all using the same ids (0..n) to prove routing. */
export async function proxyRun(
  served: Served,
  target: string,
  sessions: number,
  command: string,
  args: object | undefined,
  count: number,
): Promise<Run> {
  const sockets = await Promise.all(
    Array.from({ length: sessions }, () => openSession(served, target)),
  );
  const perSession = Math.ceil(count / sessions);
  const latencies: number[] = [];
  let lost = 0;
  let duplicated = 0;
  let misrouted = 0;
  const start = performance.now();
  await Promise.all(
    sockets.map(
      (ws, s) =>
        new Promise<void>((resolve) => {
          const sentAt = new Map<string, number>();
          const seen = new Set<string>();
          const timer = setTimeout(() => {
            lost += perSession - seen.size;
            resolve();
          }, 60_000);
          ws.on('message', (data) => {
            const message = JSON.parse(String(data)) as Record<string, unknown>;
            if ('event' in message) return;
            const id = JSON.stringify(message.id);
            const tag = (message.id as { s?: number } | undefined)?.s;
            if (tag !== s || !sentAt.has(id)) misrouted++;
            else if (seen.has(id)) duplicated++;
            else {
              seen.add(id);
              latencies.push(performance.now() - sentAt.get(id)!);
            }
            if (seen.size === perSession) {
              clearTimeout(timer);
              resolve();
            }
          });
          for (let i = 0; i < perSession; i++) {
            const id = { s, i };
            sentAt.set(JSON.stringify(id), performance.now());
            ws.send(JSON.stringify({ execute: command, ...(args ? { arguments: args } : {}), id }));
          }
        }),
    ),
  );
  const seconds = (performance.now() - start) / 1000;
  for (const ws of sockets) ws.close();
  return { seconds, latenciesMs: latencies, lost, duplicated, misrouted };
}

export async function benchProxy(
  ctx: BenchContext,
  served: Served,
  target: string,
  directSocket: string,
  workloads: { name: string; command: string; args?: object; count: number }[],
): Promise<void> {
  for (const w of workloads) {
    const direct = await directRun(directSocket, w.command, w.args, w.count);
    const directRate = w.count / direct.seconds;
    const directP50 = percentile(direct.latenciesMs, 50);
    for (const sessions of [1, 10, 50]) {
      const run = await proxyRun(served, target, sessions, w.command, w.args, w.count);
      const rate = (w.count - run.lost) / run.seconds;
      const ratio = rate / directRate;
      ctx.add({
        key: `proxy.${w.name}.s${sessions}.throughput_ratio`,
        label: `Proxy: ${w.name}, ${sessions} session(s), throughput`,
        value: rate,
        unit: 'cmd/s',
        baseline: { label: 'direct socket', value: directRate, unit: 'cmd/s' },
        ratio,
        goal: '≥ 0.8× direct',
        met: ratio >= 0.8,
      });
      ctx.add({
        key: `proxy.${w.name}.s${sessions}.added_latency_p50_ms`,
        label: `Proxy: ${w.name}, ${sessions} session(s), added latency p50 / p99`,
        value: percentile(run.latenciesMs, 50) - directP50,
        unit: `ms (p99 ${(percentile(run.latenciesMs, 99) - percentile(direct.latenciesMs, 99)).toFixed(2)} ms)`,
      });
      ctx.add({
        key: `proxy.${w.name}.s${sessions}.ledger_errors`,
        label: `Proxy: ${w.name}, ${sessions} session(s), lost+duplicated+misrouted`,
        value: run.lost + run.duplicated + run.misrouted,
        unit: 'replies',
        goal: '0',
        met: run.lost + run.duplicated + run.misrouted === 0,
      });
    }
  }
}
