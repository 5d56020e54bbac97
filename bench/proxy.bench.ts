// Proxy throughput and latency: the same commands pipelined straight to the QMP socket (baseline)
// and through the proxy from 1, 10 and 50 WebSocket sessions, with a ledger of every reply.
import { ProxyErrorClass } from '../src/qmp/errors.ts';
import type { Served } from '../test/harness/blockscope.ts';
import { cpuMs } from './proc.ts';
import { directRun, openSessions, type Run } from './qmp-clients.ts';
import { sleep } from './qmp-events.ts';
import { percentile, type BenchContext } from './report.ts';

/**
 * `count` commands spread over `sessions` sessions, each session using ids {s, i} with the same i
 * values, so a reply routed to the wrong session is caught; at most `window` in flight per session.
 */
export async function proxyRun(
  served: Served,
  target: string,
  sessions: number,
  command: string,
  args: object | undefined,
  count: number,
  window = Infinity,
): Promise<Run> {
  const sockets = await openSessions(served, target, sessions);
  const perSession = Math.ceil(count / sessions);
  const latencies: number[] = [];
  let lost = 0;
  let duplicated = 0;
  let misrouted = 0;
  let overloaded = 0;
  const start = performance.now();
  await Promise.all(
    sockets.map(
      (ws, s) =>
        new Promise<void>((resolve) => {
          const sentAt = new Map<string, number>();
          const seen = new Set<string>();
          // Lost: no reply at all by the time the session closes or a minute has passed.
          let finished = false;
          const finish = () => {
            if (finished) return;
            finished = true;
            clearTimeout(timer);
            lost += perSession - seen.size;
            resolve();
          };
          const timer = setTimeout(finish, 60_000);
          ws.once('close', finish);
          ws.on('message', (data) => {
            const message = JSON.parse(String(data)) as Record<string, unknown>;
            if ('event' in message) return;
            const id = JSON.stringify(message.id);
            const tag = (message.id as { s?: number } | undefined)?.s;
            if (tag !== s || !sentAt.has(id)) misrouted++;
            else if (seen.has(id)) duplicated++;
            else {
              seen.add(id);
              const error = message.error as { class?: string } | undefined;
              if (error?.class === ProxyErrorClass.Overloaded) overloaded++;
              else latencies.push(performance.now() - sentAt.get(id)!);
            }
            if (seen.size === perSession) finish();
          });
          let sent = 0;
          const send = () => {
            const id = { s, i: sent++ };
            sentAt.set(JSON.stringify(id), performance.now());
            ws.send(JSON.stringify({ execute: command, ...(args ? { arguments: args } : {}), id }));
          };
          while (sent < Math.min(perSession, window)) send();
          ws.on('message', () => {
            if (sent < perSession && sent - seen.size < window) send();
          });
        }),
    ),
  );
  const seconds = (performance.now() - start) / 1000;
  // A moment for late duplicates or strays to show up in the ledger before closing.
  await sleep(200);
  for (const ws of sockets) ws.close();
  return { seconds, latenciesMs: latencies, lost, duplicated, misrouted, overloaded };
}

export interface ProxyWorkload {
  /** For labels; keys use the command, so they stay stable when the graph size changes. */
  name: string;
  command: string;
  args?: object;
  count: number;
  /**
   * Commands in flight per session; Infinity writes them all at once, as a script that pipelines
   * does. The proxy stops reading a session at its share of pending commands instead of refusing,
   * so refusals (BlockscopeOverloaded, counted apart from the ledger) must stay 0 either way.
   */
  window: number;
}

export async function benchProxy(
  ctx: BenchContext,
  served: Served,
  target: string,
  directSocket: string,
  workloads: ProxyWorkload[],
  proxyPid: number,
): Promise<void> {
  for (const w of workloads) {
    // Baseline: the faster of "everything written at once" and "8 in flight" (the QMP spec's advice).
    const burst = await directRun(directSocket, w.command, w.args, w.count);
    const windowed = await directRun(directSocket, w.command, w.args, w.count, 8);
    const directRate = Math.max(w.count / burst.seconds, w.count / windowed.seconds);
    ctx.note(
      `direct ${w.name}: ${(w.count / burst.seconds).toFixed(0)} cmd/s all written at once, ${(w.count / windowed.seconds).toFixed(0)} cmd/s with 8 in flight (the proxy keeps 8 in flight to QEMU); the faster is the baseline`,
    );
    // Latency: one command at a time, so queueing does not hide the proxy's own cost.
    const latencyCount = Math.min(200, w.count);
    const directSeq = await directRun(directSocket, w.command, w.args, latencyCount, 1);
    for (const sessions of [1, 10, 50]) {
      const window = w.window;
      const inFlight = Number.isFinite(window) ? `${window} in flight` : 'all written at once';
      const cpuBefore = cpuMs(proxyPid);
      const clientBefore = process.cpuUsage();
      const run = await proxyRun(served, target, sessions, w.command, w.args, w.count, window);
      const answered = run.latenciesMs.length;
      const proxyCpu = ((cpuMs(proxyPid) - cpuBefore) * 1000) / answered;
      const client = process.cpuUsage(clientBefore);
      ctx.note(
        `${w.name}, ${sessions} session(s): the benchmark's own WebSocket clients used ${((client.user + client.system) / answered).toFixed(0)} µs of CPU per command on the same cores`,
      );
      const rate = answered / run.seconds;
      const ratio = rate / directRate;
      ctx.add({
        key: `proxy.${w.command}.s${sessions}.throughput`,
        label: `Proxy: ${w.name}, ${sessions} session(s), ${inFlight}, throughput`,
        value: rate,
        unit: 'cmd/s',
        baseline: { label: 'direct socket', value: directRate, unit: 'cmd/s' },
        ratio,
        goal: '≥ 0.9× direct',
        met: ratio >= 0.9,
      });
      const errors = run.lost + run.duplicated + run.misrouted;
      ctx.add({
        key: `proxy.${w.command}.s${sessions}.ledger_errors`,
        label: `Proxy: ${w.name}, ${sessions} session(s), lost+duplicated+misrouted`,
        value: errors,
        unit: 'replies',
        goal: '0',
        met: errors === 0,
      });
      if (errors > 0)
        ctx.note(
          `${w.name}, ${sessions} session(s): lost ${run.lost}, duplicated ${run.duplicated}, misrouted ${run.misrouted}`,
        );
      // Where the time goes: the proxy's CPU per command beside the time QEMU takes per command
      // on the direct socket. (QEMU's own CPU time is no baseline: it includes the guest's vCPU.)
      const directUs = 1e6 / directRate;
      ctx.add({
        key: `proxy.${w.command}.s${sessions}.proxy_cpu_us_per_cmd`,
        label: `Proxy: ${w.name}, ${sessions} session(s), proxy CPU per command`,
        value: proxyCpu,
        unit: 'µs',
        baseline: { label: 'direct wall time per command', value: directUs, unit: 'µs' },
        ratio: proxyCpu / directUs,
        // The issue-18 goal is for a small command; a 300 KB reply costs what its size costs.
        ...(w.command === 'query-version' ? { goal: '≤ 60 µs', met: proxyCpu <= 60 } : {}),
      });
      ctx.add({
        key: `proxy.${w.command}.s${sessions}.overloaded`,
        label: `Proxy: ${w.name}, ${sessions} session(s), refused as overloaded`,
        value: run.overloaded,
        unit: 'replies',
        goal: '0',
        met: run.overloaded === 0,
      });
    }
    const proxySeq = await proxyRun(served, target, 1, w.command, w.args, latencyCount, 1);
    for (const p of [50, 99]) {
      const direct = percentile(directSeq.latenciesMs, p);
      ctx.add({
        key: `proxy.${w.command}.added_latency_p${p}_ms`,
        label: `Proxy: ${w.name}, added latency per command (one at a time), p${p}`,
        value: percentile(proxySeq.latenciesMs, p) - direct,
        unit: 'ms',
        baseline: { label: `direct p${p}`, value: direct, unit: 'ms' },
      });
    }
  }
}
