// What the page costs QEMU, counted where it matters: the commands the proxy actually wrote to
// QEMU's monitor (GET /metrics, blockscope_qemu_commands_total by command). A page load must send
// each read at most once; a speed-limited mirror run to completion must cost, beyond the proxy's
// shared pollers (query-jobs + query-block-jobs while jobs exist, query-blockstats while a page
// shows I/O, each about once a second however many tabs) and the script's own two commands, at
// most 15 commands for its two changes of topology — with 5 tabs open as with 1.
import type { Page } from '@playwright/test';
import type { Served } from '../test/harness/blockscope.ts';
import { openGraph } from '../test/fixtures/operations/e2e-helpers.ts';
import { expect, test } from '../test/fixtures/operations/e2e-fixture.ts';
import { WsQmp, type Message } from '../test/integration/proxy-helpers.ts';

const MiB = 1024 * 1024;
const TARGET = 'ops';

interface Counts {
  /** Commands written to QEMU, by name. */
  sent: Map<string, number>;
  /** Commands the shared pollers took (some answered by a read already in flight). */
  pollers: number;
}

/** Waits until the proxy is connected to QEMU: its own reads at connect are then written. */
async function connected(served: Served): Promise<void> {
  await expect
    .poll(async () => {
      const response = await fetch(`${served.origin}/api/targets`, {
        headers: { Authorization: `Bearer ${served.token}` },
      });
      const targets = (await response.json()) as { name: string; state: string }[];
      return targets.find((t) => t.name === TARGET)?.state;
    })
    .toBe('connected');
}

async function counts(served: Served): Promise<Counts> {
  const response = await fetch(`${served.origin}/metrics`, {
    headers: { Authorization: `Bearer ${served.token}` },
  });
  expect(response.status).toBe(200);
  const sent = new Map<string, number>();
  let pollers = 0;
  for (const line of (await response.text()).split('\n')) {
    const match = /^(\w+)\{([^}]*)\} (\d+)$/.exec(line);
    if (!match) continue;
    const labels = Object.fromEntries(
      [...match[2]!.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (labels.target !== TARGET) continue;
    const value = Number(match[3]);
    if (match[1] === 'blockscope_qemu_commands_total') sent.set(labels.command!, value);
    if (match[1] === 'blockscope_commands_total' && labels.source !== 'sessions') pollers += value;
  }
  return { sent, pollers };
}

function since(before: Counts, after: Counts) {
  const byCommand = new Map<string, number>();
  for (const [command, n] of after.sent) {
    const d = n - (before.sent.get(command) ?? 0);
    if (d > 0) byCommand.set(command, d);
  }
  const total = [...byCommand.values()].reduce((a, b) => a + b, 0);
  return { byCommand, total, pollers: after.pollers - before.pollers };
}

const describeCounts = (c: Map<string, number>) =>
  [...c].map(([command, n]) => `${command} ×${n}`).join(', ');

/** The graph's node count as the page states it ("12 nodes"). */
const nodeCount = (page: Page) =>
  page.getByRole('region', { name: 'Block graph' }).getByRole('status');

async function openTabs(page: Page, served: Served, n: number): Promise<Page[]> {
  const pages = [page];
  for (let i = 1; i < n; i++) pages.push(await page.context().newPage());
  for (const tab of pages) await openGraph(tab, served.url);
  return pages;
}

test('a page load sends each read to QEMU at most once', async ({ page, served }) => {
  await connected(served);
  const before = await counts(served);
  await openGraph(page, served.url);
  await expect(page.getByRole('complementary', { name: 'Jobs' })).toBeVisible();
  const load = since(before, await counts(served));
  console.log(`page load: ${load.total} commands to QEMU (${describeCounts(load.byCommand)})`);
  for (const [command, n] of load.byCommand) {
    // query-blockstats is the proxy's shared I/O reader (1/s while a page shows the graph).
    if (command !== 'query-blockstats') expect(n, command).toBe(1);
  }
  expect(load.byCommand.get('x-debug-query-block-graph')).toBe(1);
});

for (const tabs of [1, 5]) {
  test(`a mirror to completion with ${tabs} tab(s) costs QEMU the pollers plus at most 15`, async ({
    page,
    served,
  }) => {
    const pages = await openTabs(page, served, tabs);
    const script = await WsQmp.open(
      { port: Number(new URL(served.origin).port), token: served.token },
      TARGET,
    );
    const idle = Number.parseInt((await nodeCount(page).textContent()) ?? '', 10);
    const add = await script.send({
      execute: 'blockdev-add',
      arguments: { driver: 'null-co', 'node-name': 'load-dst', size: 16 * MiB },
      id: 'add',
    });
    expect(add).toEqual({ return: {}, id: 'add' });
    // Every tab has re-read the graph after the node came (the mirror's count starts after it).
    const settled = `${idle + 1} nodes`;
    for (const tab of pages) await expect(nodeCount(tab)).toHaveText(settled);
    const status = (s: string) => (m: Message) =>
      m.event === 'JOB_STATUS_CHANGE' && (m.data as Message).status === s;

    const before = await counts(served);
    const started = Date.now();
    const mirror = await script.send({
      execute: 'blockdev-mirror',
      arguments: {
        'job-id': 'load',
        device: 'data',
        target: 'load-dst',
        sync: 'full',
        speed: 4 * MiB,
      },
      id: 'mirror',
    });
    expect(mirror).toEqual({ return: {}, id: 'mirror' });
    // The mirror's filter is in every tab's graph: the first change of topology was read.
    for (const tab of pages) await expect(nodeCount(tab)).not.toHaveText(settled);
    await script.next(status('ready'), 30_000);
    const complete = await script.send({
      execute: 'block-job-complete',
      arguments: { device: 'load' },
      id: 'complete',
    });
    expect(complete).toEqual({ return: {}, id: 'complete' });
    await script.next(status('null'), 30_000);
    // The filter is gone from every tab's graph: the second change was read.
    for (const tab of pages) await expect(nodeCount(tab)).toHaveText(settled);
    const seconds = (Date.now() - started) / 1000;
    const run = since(before, await counts(served));
    const own = 2; // blockdev-mirror, block-job-complete
    const pageCaused = run.total - run.pollers - own;
    console.log(
      `mirror, ${tabs} tab(s), ${seconds.toFixed(1)} s: ${run.total} commands to QEMU, ` +
        `${run.pollers} taken by the shared pollers, ${pageCaused} by the pages ` +
        `(${describeCounts(run.byCommand)})`,
    );
    expect(run.total).toBeLessThanOrEqual(run.pollers + own + 15);
    // The pollers' share is bounded by time, not by tabs: ~3 commands a second plus one poll
    // (2 commands) at each of the job's status changes (created … null: 7).
    expect(run.pollers).toBeLessThanOrEqual(3 * (Math.ceil(seconds) + 1) + 2 * 7);
    script.close();
  });
}
