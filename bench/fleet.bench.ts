// The fleet at scale: 200 qemu-storage-daemon targets found by one --target-dir, served by the real
// `bin/blockscope serve`, with the fleet page open in Chromium. Measured: the time from opening
// #/fleet until every target is shown with its counts (beside one GET /api/fleet from Node), the
// server's RSS and CPU with the page open, and the QMP commands written to all targets per second
// (blockscope_qemu_commands_total from /metrics, less the
// query-blockstats reads each scrape itself causes) while idle and while 20 mirrors run.
// Each daemon has a second monitor outside the directory, from which the jobs are started.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { chromiumLaunch } from '../playwright.config.ts';
import { startQemu, type RunningQemu } from '../proxy/qemu/launch.ts';
import { startBlockscope, type Served } from '../test/harness/blockscope.ts';
import { DirectQmp } from '../test/harness/direct-qmp.ts';
import { cpuMs, rssMiB } from './proc.ts';
import { sleep } from './qmp-events.ts';
import type { BenchContext } from './report.ts';

const TARGETS = 200;
const JOBS = 20;
const MiB = 1024 * 1024;

/**
 * Commands written to every target so far, less the query-blockstats reads that /metrics scrapes
 * cause themselves (one per target per scrape, counted as source "blockstats-poller"; the fleet
 * page watches no I/O statistics, so no other such read happens here).
 */
async function commandsWritten(served: Served): Promise<{ written: number; scrapes: number }> {
  const response = await fetch(`${served.origin}/metrics`, {
    headers: { Authorization: `Bearer ${served.token}` },
  });
  const text = await response.text();
  let written = 0;
  let scrapes = 0;
  for (const line of text.split('\n')) {
    const value = Number(line.split(' ').at(-1));
    if (line.startsWith('blockscope_qemu_commands_total{')) written += value;
    if (
      line.startsWith('blockscope_commands_total{') &&
      line.includes('source="blockstats-poller"')
    )
      scrapes += value;
  }
  return { written, scrapes };
}

/** Commands per second over `seconds`, the scrapes' own reads left out. */
async function rate(served: Served, seconds: number): Promise<number> {
  const before = await commandsWritten(served);
  await sleep(seconds * 1000);
  const after = await commandsWritten(served);
  return (after.written - before.written - (after.scrapes - before.scrapes)) / seconds;
}

export async function benchFleet(ctx: BenchContext): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'blockscope-bench-fleet-'));
  const ctl = await mkdtemp(join(tmpdir(), 'blockscope-bench-fleet-ctl-'));
  const daemons: RunningQemu[] = [];
  let served: Served | undefined;
  const browser = await chromium.launch(chromiumLaunch);
  try {
    const name = (i: number) => `fleet-${String(i).padStart(3, '0')}`;
    for (let batch = 0; batch < TARGETS; batch += 10) {
      const started = await Promise.all(
        Array.from({ length: Math.min(10, TARGETS - batch) }, (_, k) => {
          const i = batch + k;
          const nodes =
            i < JOBS
              ? ['src', 'dst'].flatMap((n) => [
                  '--blockdev',
                  `null-co,node-name=${n},size=${1024 * MiB}`,
                ])
              : ['--blockdev', `null-co,node-name=disk0,size=${16 * MiB}`];
          return startQemu({
            kind: 'storage-daemon',
            qmpSockets: [join(dir, `${name(i)}.qmp`), join(ctl, `${name(i)}.sock`)],
            args: nodes,
          });
        }),
      );
      daemons.push(...started);
    }
    served = await startBlockscope(['serve', '--target-dir', dir]);
    const headers = { Authorization: `Bearer ${served.token}` };
    // all connected and counted before the page opens: the page's time is the page's own
    for (let i = 0; ; i++) {
      const rows = (await (await fetch(`${served.origin}/api/fleet`, { headers })).json()) as {
        state: string;
        counts?: unknown;
      }[];
      if (rows.length === TARGETS && rows.every((r) => r.state === 'connected' && r.counts)) break;
      if (i > 600) throw new Error('the 200 targets did not all connect within 60 s');
      await sleep(100);
    }
    const apiStart = performance.now();
    await (await fetch(`${served.origin}/api/fleet`, { headers })).json();
    const apiMs = performance.now() - apiStart;

    const page = await browser.newPage();
    await page.goto(served.url);
    await page.getByRole('combobox', { name: /^Target/ }).waitFor();
    const times: number[] = [];
    for (let run = 0; run < 3; run++) {
      await page.goto('about:blank');
      const start = Date.now();
      await page.goto(`${served.origin}/#/fleet`);
      await page.waitForFunction(
        (count) => {
          const rows = document.querySelectorAll('table[aria-label="Targets"] tbody tr');
          if (rows.length !== count) return false;
          // every row with its node count (the fifth cell), not a dash
          return [...rows].every((r) => /^\d+$/.test(r.children[4]?.textContent ?? ''));
        },
        TARGETS,
        { polling: 'raf', timeout: 30_000 },
      );
      times.push(Date.now() - start);
    }
    await page.goto(`${served.origin}/#/fleet`);
    await page
      .getByRole('status')
      .filter({ hasText: `${TARGETS} targets` })
      .waitFor();
    const shown = [...times].sort((a, b) => a - b)[1]!;
    ctx.add({
      key: 'fleet.page_complete_ms',
      label: `Fleet: ${TARGETS} targets, opening #/fleet until all are shown (median of 3)`,
      value: shown,
      unit: 'ms',
      baseline: { label: 'GET /api/fleet from Node', value: apiMs, unit: 'ms' },
      ratio: shown / apiMs,
      goal: '≤ 1500 ms',
      met: shown <= 1500,
    });

    await sleep(1000);
    const pid = served.pid;
    const cpuBefore = cpuMs(pid);
    const idleRate = await rate(served, 10);
    const cpuIdle = (cpuMs(pid) - cpuBefore) / 10_000;
    const rss = rssMiB(pid);
    ctx.add({
      key: 'fleet.rss_mib',
      label: `Fleet: server RSS with ${TARGETS} targets and the fleet page open`,
      value: rss,
      unit: 'MiB',
      goal: '≤ 300 MiB',
      met: rss <= 300,
    });
    ctx.add({
      key: 'fleet.cpu_idle_percent',
      label: `Fleet: server CPU, ${TARGETS} idle targets, page open (10 s)`,
      value: cpuIdle * 100,
      unit: '% of a core',
    });
    ctx.add({
      key: 'fleet.commands_idle_per_s',
      label: `Fleet: QMP commands per second to all ${TARGETS} targets, idle (10 s)`,
      value: idleRate,
      unit: 'cmd/s',
      goal: '0',
      met: idleRate === 0,
    });

    const controls = await Promise.all(
      Array.from({ length: JOBS }, (_, i) => DirectQmp.connect(join(ctl, `${name(i)}.sock`))),
    );
    for (const [i, qmp] of controls.entries()) {
      await qmp.execute('blockdev-mirror', {
        'job-id': `bench-m${i}`,
        device: 'src',
        target: 'dst',
        sync: 'full',
        speed: 1 * MiB,
      });
    }
    await page.goto(`${served.origin}/#/jobs`);
    await page
      .getByRole('status')
      .filter({ hasText: `${JOBS} jobs on ${JOBS} targets` })
      .waitFor();
    await sleep(2000);
    const cpuJobsBefore = cpuMs(pid);
    const jobsRate = await rate(served, 10);
    const cpuJobs = (cpuMs(pid) - cpuJobsBefore) / 10_000;
    // each target with a job: query-jobs + query-block-jobs once a second
    const pollsPerTarget = jobsRate / 2 / JOBS;
    ctx.add({
      key: 'fleet.commands_jobs_per_s',
      label: `Fleet: QMP commands per second, ${JOBS} mirrors running, Jobs view open (10 s)`,
      value: jobsRate,
      unit: 'cmd/s',
      baseline: {
        label: 'one poll (2 commands) per second per job',
        value: JOBS * 2,
        unit: 'cmd/s',
      },
      ratio: jobsRate / (JOBS * 2),
      goal: 'one poll per second per job target',
      met: pollsPerTarget > 0.8 && pollsPerTarget < 1.2,
    });
    ctx.add({
      key: 'fleet.cpu_jobs_percent',
      label: `Fleet: server CPU, ${JOBS} mirrors running, Jobs view open (10 s)`,
      value: cpuJobs * 100,
      unit: '% of a core',
      baseline: { label: 'idle', value: cpuIdle * 100, unit: '% of a core' },
    });
    ctx.add({
      key: 'fleet.rss_jobs_mib',
      label: `Fleet: server RSS, ${JOBS} mirrors running, Jobs view open`,
      value: rssMiB(pid),
      unit: 'MiB',
      goal: '≤ 300 MiB',
      met: rssMiB(pid) <= 300,
    });
    for (const [i, qmp] of controls.entries()) {
      await qmp.execute('block-job-cancel', { device: `bench-m${i}`, force: true });
      qmp.close();
    }
    await page.close();
  } finally {
    await browser.close();
    await served?.stop();
    await Promise.all(daemons.map((d) => d.stop()));
    await rm(dir, { recursive: true, force: true });
    await rm(ctl, { recursive: true, force: true });
  }
}
