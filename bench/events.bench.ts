// Event fan-out: from QEMU emitting JOB_STATUS_CHANGE to its receipt by 1 and by 50 WebSocket
// sessions, beside a plain monitor connection listening to the same QEMU (same events).
import type { DirectQmp } from '../test/harness/direct-qmp.ts';
import type { Served } from '../test/harness/blockscope.ts';
import { startBenchJob } from './bench-job.ts';
import { openSessions } from './qmp-clients.ts';
import { listenToMonitor, sleep, timed, type TimedEvent } from './qmp-events.ts';
import { percentile, type BenchContext } from './report.ts';

const TOGGLES = 25;

const latencies = (events: TimedEvent[], jobId: string) =>
  events
    .filter((e) => e.event === 'JOB_STATUS_CHANGE' && e.data.id === jobId)
    .map((e) => e.receivedMs - e.emittedMs);

export async function benchEvents(
  ctx: BenchContext,
  served: Served,
  target: string,
  direct: DirectQmp,
  listenSocket: string,
): Promise<void> {
  for (const count of [1, 50]) {
    const jobId = `bench-fanout-${count}`;
    const monitor = await listenToMonitor(listenSocket);
    const sessions = await openSessions(served, target, count);
    const received: TimedEvent[][] = sessions.map(() => []);
    sessions.forEach((ws, i) =>
      ws.on('message', (data) => {
        const event = timed(JSON.parse(String(data)) as Record<string, unknown>);
        if (event) received[i]!.push(event);
      }),
    );
    const job = await startBenchJob(direct, jobId);
    for (let i = 0; i < TOGGLES; i++) {
      await job.toggle();
      await sleep(20);
    }
    await job.cancel();
    await sleep(200);
    const base = latencies(monitor.events, jobId);
    const all = received.flatMap((events) => latencies(events, jobId));
    monitor.close();
    for (const ws of sessions) ws.close();

    for (const p of [50, 99]) {
      const value = percentile(all, p);
      const baseline = percentile(base, p);
      ctx.add({
        key: `events.s${count}.p${p}_ms`,
        label: `Events: JOB_STATUS_CHANGE to ${count} session(s), p${p}`,
        value,
        unit: 'ms',
        baseline: { label: `plain monitor p${p}`, value: baseline, unit: 'ms' },
        ratio: baseline > 0 ? value / baseline : undefined,
      });
    }
    // Every session must see every event the plain monitor saw.
    ctx.add({
      key: `events.s${count}.missed`,
      label: `Events: ${count} session(s), events missed (of ${base.length} each)`,
      value: base.length * count - all.length,
      unit: 'events',
      goal: '0',
      met: base.length * count === all.length,
    });
  }
}
