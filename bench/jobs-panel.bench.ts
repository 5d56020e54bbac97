// Event → DOM in headless Chromium: a job's state change at QEMU to the Jobs panel showing it.
import { chromium } from '@playwright/test';
import { chromiumLaunch } from '../playwright.config.ts';
import { whenJobStatusShown } from '../src/features/jobs/job-dom-probe.ts';
import type { DirectQmp } from '../test/harness/direct-qmp.ts';
import { startBenchJob } from './bench-job.ts';
import { listenToMonitor, sleep } from './qmp-events.ts';
import { percentile, type BenchContext } from './report.ts';

const TOGGLES = 25;

/**
 * Event → DOM: QEMU's timestamp on a JOB_STATUS_CHANGE to the DOM change in the Jobs panel that
 * shows the new status (page's Date.now; same machine, same wall clock). Baseline: the same
 * events' delivery to a plain monitor connection.
 */
export async function benchJobsPanel(
  ctx: BenchContext,
  url: string,
  direct: DirectQmp,
  listenSocket: string,
): Promise<void> {
  const browser = await chromium.launch(chromiumLaunch);
  const monitor = await listenToMonitor(listenSocket);
  const jobId = 'bench-dom';
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(url);
    await page.getByRole('heading', { name: 'Blockscope' }).waitFor();
    const job = await startBenchJob(direct, jobId);
    // tsx keeps function names with a `__name` helper that does not exist in the page.
    const probe = `((args) => { const __name = (f) => f; return (${whenJobStatusShown.toString()})(args); })`;
    const shownAfter = async (text: string, act: () => Promise<void>) => {
      // `; 0` so evaluate does not wait for the promise itself before the act.
      await page.evaluate(`window.__shown = ${probe}(${JSON.stringify({ jobId, text })}); 0`);
      await act();
      return page.evaluate('window.__shown') as Promise<number>;
    };
    await shownAfter('Ready to complete', async () => {});
    const shown: { status: string; at: number }[] = [];
    for (let i = 0; i < TOGGLES; i++) {
      shown.push({ status: 'standby', at: await shownAfter('Paused (ready)', job.pause) });
      await sleep(50);
      shown.push({ status: 'ready', at: await shownAfter('Ready to complete', job.resume) });
      await sleep(50);
    }
    await page.close();
    await job.cancel();
    const changes = monitor.events.filter(
      (e) => e.event === 'JOB_STATUS_CHANGE' && e.data.id === jobId,
    );
    // Pair each DOM change with the next status change of that kind, in order.
    const latencies: number[] = [];
    let from = 0;
    for (const s of shown) {
      const index = changes.findIndex((e, i) => i >= from && e.data.status === s.status);
      if (index < 0) continue;
      latencies.push(s.at - changes[index]!.emittedMs);
      from = index + 1;
    }
    const delivery = changes.map((e) => e.receivedMs - e.emittedMs);
    const slowest = latencies
      .map((ms, i) => ({ ms, i }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 5);
    ctx.note(
      `event to Jobs panel, slowest 5 of ${latencies.length}: ${slowest.map((x) => `${x.ms.toFixed(0)} ms (change ${x.i + 1})`).join(', ')}`,
    );
    for (const p of [50, 99]) {
      const value = percentile(latencies, p);
      ctx.add({
        key: `jobs.event_to_dom_p${p}_ms`,
        label: `Jobs: QEMU job event to the Jobs panel showing it, p${p} (${latencies.length} changes)`,
        value,
        unit: 'ms',
        baseline: {
          label: `plain monitor receipt p${p}`,
          value: percentile(delivery, p),
          unit: 'ms',
        },
        ...(p === 99 ? { goal: '≤ 50 ms', met: value <= 50 } : {}),
      });
    }
  } finally {
    monitor.close();
    await browser.close();
  }
}
