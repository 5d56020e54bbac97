// The target's history kept by the proxy, in Chromium against a real QEMU through the real server:
// a mirror the operator finishes without switching over is listed as finished, with its true end
// state, how long it took and its events, after a reload and in a second tab alike, and a job's
// elapsed time survives a reload while it runs.
import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { createImage } from '../test/harness/qemu.ts';
import { expect, test } from '../test/fixtures/operations/e2e-fixture.ts';

const MiB = 1024 * 1024;
const KEPT = 'Finished, source kept (the target is a copy as of the cancel)';

const jobsPanel = (page: Page) => page.getByRole('complementary', { name: 'Jobs' });
const finishedCard = (page: Page, id: string) =>
  jobsPanel(page)
    .getByRole('region', { name: 'Finished jobs' })
    .getByRole('article', { name: `Job ${id}` });

/** The event log's rows about `id`, command notices included, as their text. */
async function eventRowsAbout(page: Page, id: string): Promise<string[]> {
  await page.getByRole('tab', { name: 'Event log' }).click();
  const log = page.getByRole('region', { name: 'Event log' });
  await log.getByRole('combobox', { name: 'Filter events' }).fill(id);
  await log.getByRole('checkbox', { name: /^Commands run/ }).check();
  const rows = log.getByRole('list', { name: 'Events' }).getByRole('listitem');
  // Every row of the job's run is there before they are read (the last one is its end).
  await expect(rows.filter({ hasText: 'BLOCK_JOB_COMPLETED' })).toHaveCount(1);
  return rows.allInnerTexts();
}

async function seconds(locator: Locator): Promise<number> {
  const text = (await locator.textContent()) ?? '';
  const match = /^Took (\d+) s$/.exec(text);
  if (!match) throw new Error(`not a time in seconds: '${text}'`);
  return Number(match[1]);
}

test('a finished job and its events are there after a reload and in a second tab', async ({
  page,
  context,
  served,
  vm,
}) => {
  await page.goto(served.url);
  await expect(jobsPanel(page).getByText('No block jobs')).toBeVisible();
  const filename = join(vm.dir, 'hist-copy.raw');
  await createImage({ path: filename, format: 'raw', size: 16 * MiB });
  await vm.direct.execute('blockdev-add', {
    driver: 'raw',
    'node-name': 'hist-copy',
    file: { driver: 'file', filename },
  });
  await vm.direct.execute('blockdev-mirror', {
    'job-id': 'mirror-hist',
    device: 'data',
    target: 'hist-copy',
    sync: 'full',
    speed: 2 * MiB, // 8 s to ready: running when the page is reloaded
    'buf-size': MiB,
  });
  const card = jobsPanel(page).getByRole('article', { name: 'Job mirror-hist' });
  await expect(card.getByRole('status')).toHaveText('Running');
  // Reloaded while it runs: the elapsed time still counts from the job's start, as the proxy
  // saw it, not "at least" since the page came back.
  await page.reload();
  await expect(card.getByRole('status')).toHaveText('Running');
  await expect(card.getByRole('group', { name: 'Elapsed' })).toContainText(/^Elapsed\d+ s$/);

  await expect(card.getByRole('status')).toHaveText('Ready to complete', { timeout: 30_000 });
  await card.getByRole('button', { name: 'Finish, keep source' }).click();
  const finished = finishedCard(page, 'mirror-hist');
  await expect(finished.getByRole('status')).toHaveText(KEPT);
  // QEMU says BLOCK_JOB_COMPLETED, but the disk stayed on its source.
  const blocks =
    await vm.direct.execute<{ qdev: string; inserted?: { 'node-name': string } }[]>('query-block');
  expect(blocks.find((b) => b.qdev.includes('vdb'))?.inserted?.['node-name']).toBe('data');
  await expect(finished).toContainText('block-job-cancel by operator');
  const took = await seconds(finished.getByLabel('Elapsed of mirror-hist'));
  // 16 MiB at 2 MiB/s, then ready until the click: at least a few seconds, far from a day.
  expect(took).toBeGreaterThanOrEqual(3);
  expect(took).toBeLessThan(120);
  const events = await eventRowsAbout(page, 'mirror-hist');
  expect(events.some((row) => row.includes('BLOCK_JOB_READY'))).toBe(true);
  expect(
    events.some(
      (row) =>
        row.includes('Command') && row.includes('block-job-cancel by operator, job mirror-hist'),
    ),
  ).toBe(true);

  // The same finished job and the same rows after a reload, and in a tab opened afterwards.
  const other = await context.newPage();
  for (const view of [page, other]) {
    if (view === page) await page.reload();
    else await other.goto(served.url);
    const again = finishedCard(view, 'mirror-hist');
    await expect(again.getByRole('status')).toHaveText(KEPT);
    await expect(again).toContainText('block-job-cancel by operator');
    const tookAgain = await seconds(again.getByLabel('Elapsed of mirror-hist'));
    // Arrival times of the proxy's record, on this page's clock: the same to a second.
    expect(Math.abs(tookAgain - took)).toBeLessThanOrEqual(1);
    expect(await eventRowsAbout(view, 'mirror-hist')).toEqual(events);
  }
  await other.close();
});

test("a failed image creation, whose error only QEMU's job list told, is still failed after a reload", async ({
  page,
  served,
  vm,
}) => {
  await page.goto(served.url);
  const filename = join(vm.dir, 'hist-created.raw');
  await vm.direct.execute('blockdev-create', {
    'job-id': 'hist-create-file',
    options: { driver: 'file', filename, size: 0 },
  });
  await vm.direct.execute('blockdev-add', {
    driver: 'file',
    'node-name': 'hist-created',
    filename,
  });
  await vm.direct.execute('blockdev-create', {
    'job-id': 'hist-create-bad',
    options: { driver: 'qcow2', file: 'hist-created', size: 1000 },
  });
  const card = jobsPanel(page).getByRole('article', { name: 'Job hist-create-bad' });
  await expect(card.getByRole('status')).toHaveText('Failed');
  await card.getByRole('button', { name: 'Dismiss' }).click();
  await expect(finishedCard(page, 'hist-create-bad').getByRole('status')).toHaveText('Failed');

  await page.reload();
  const finished = finishedCard(page, 'hist-create-bad');
  await expect(finished.getByRole('status')).toHaveText('Failed');
  await expect(finished.getByRole('list', { name: 'Errors of hist-create-bad' })).toContainText(
    'multiple of 512',
  );
});
