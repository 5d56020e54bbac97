// QMP clients for the benchmarks: a pipelining client straight on a monitor socket (the
// baseline) and WebSocket sessions through the proxy, opened the way a script would open them.
import { connect } from 'node:net';
import WebSocket from 'ws';
import type { Served } from '../test/harness/blockscope.ts';

export interface Run {
  seconds: number;
  latenciesMs: number[];
  /** Commands that never got any reply. */
  lost: number;
  duplicated: number;
  misrouted: number;
  /** Replies that were the proxy's BlockscopeOverloaded refusal (a reply, but not an answer). */
  overloaded: number;
}

/**
 * Sends `count` commands on a fresh monitor connection, keeping at most `window` in flight
 * (Infinity: everything written at once; 1: one at a time, for latency).
 */
export async function directRun(
  socketPath: string,
  command: string,
  args: object | undefined,
  count: number,
  window = Infinity,
): Promise<Run> {
  const socket = connect(socketPath);
  socket.setEncoding('utf8');
  // Line framing that looks for the newline only in new data, so large replies stay linear.
  let pending: string[] = [];
  const lines: ((line: Record<string, unknown>) => void)[] = [];
  socket.on('data', (chunk: string) => {
    let start = 0;
    let nl;
    while ((nl = chunk.indexOf('\n', start)) >= 0) {
      pending.push(chunk.slice(start, nl));
      const message = JSON.parse(pending.join('')) as Record<string, unknown>;
      pending = [];
      start = nl + 1;
      if (!('event' in message)) lines.shift()?.(message);
    }
    if (start < chunk.length) pending.push(chunk.slice(start));
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
  let sent = 0;
  const send = () => {
    const id = sent++;
    sentAt.set(id, performance.now());
    socket.write(
      JSON.stringify({ execute: command, ...(args ? { arguments: args } : {}), id }) + '\n',
    );
    return next();
  };
  const start = performance.now();
  const inFlight: Promise<Record<string, unknown>>[] = [];
  while (sent < Math.min(count, window)) inFlight.push(send());
  while (inFlight.length) {
    const message = await inFlight.shift()!;
    const id = message.id as number;
    if (!sentAt.has(id)) misrouted++;
    else if (seen.has(id)) duplicated++;
    else {
      seen.add(id);
      latencies.push(performance.now() - sentAt.get(id)!);
    }
    if (sent < count) inFlight.push(send());
  }
  const seconds = (performance.now() - start) / 1000;
  socket.destroy();
  return {
    seconds,
    latenciesMs: latencies,
    lost: count - seen.size,
    duplicated,
    misrouted,
    overloaded: 0,
  };
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

/**
 * Opens `count` sessions, 16 at a time: the proxy drops connections beyond 32 that have not yet
 * finished their HTTP upgrade (a guard against slow-header floods), so 50 at once would not all
 * be accepted.
 */
export async function openSessions(
  served: Served,
  target: string,
  count: number,
): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  while (sockets.length < count) {
    const batch = Math.min(16, count - sockets.length);
    sockets.push(
      ...(await Promise.all(Array.from({ length: batch }, () => openSession(served, target)))),
    );
  }
  return sockets;
}
