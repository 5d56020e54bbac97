// The Jobs panel and the event log in Chromium against a real QEMU (the demo graph) through the
// real server. Jobs are started on the test's own QMP monitor, as another tool would; the UI
// watches and controls them, and the effects are checked on that monitor again.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import {
  createImage,
  startTestQemu,
  writePatterns,
  type StartOptions,
  type TestQemu,
} from '../test/harness/qemu.ts';
import { expect, startBlockscope, test } from './fixtures.ts';

const MiB = 1024 * 1024;

function jobsPanel(page: Page): Locator {
  return page.getByRole('complementary', { name: 'Jobs' });
}

function jobCard(page: Page, id: string): Locator {
  return jobsPanel(page).getByRole('article', { name: `Job ${id}` });
}

/** The job's status in words, as the card states it. */
function statusOf(card: Locator): Locator {
  return card.getByRole('status');
}

async function progressOf(card: Locator): Promise<number> {
  return Number(await card.getByRole('progressbar').getAttribute('aria-valuenow'));
}

/** A new image opened as a node, to be a job's target. */
async function addTarget(
  qemu: TestQemu,
  name: string,
  format: 'raw' | 'qcow2',
  size: string,
  inject?: { errno: number },
): Promise<void> {
  const filename = join(qemu.dir, `${name}.${format}`);
  await createImage({ path: filename, format, size });
  const file = inject
    ? {
        driver: 'blkdebug',
        'inject-error': [{ event: 'write_aio', errno: inject.errno }],
        image: { driver: 'file', filename },
      }
    : { driver: 'file', filename };
  await qemu.direct.execute('blockdev-add', { driver: format, 'node-name': name, file });
}

/** A small QEMU of its own (src and dst, 32 MiB) for tests that need their own server. */
function soloQemu(dir?: string): StartOptions {
  return {
    ...(dir ? { dir } : {}),
    prepare: dir
      ? undefined
      : async (d) => {
          await createImage({ path: join(d, 'src.qcow2'), format: 'qcow2', size: '32M' });
          await writePatterns(join(d, 'src.qcow2'), 'qcow2', [
            { offset: 0, length: '32M', pattern: 0x42 },
          ]);
          await createImage({ path: join(d, 'dst.qcow2'), format: 'qcow2', size: '32M' });
        },
    args: (d) => [
      '-blockdev',
      `qcow2,node-name=src,file.driver=file,file.filename=${join(d, 'src.qcow2')}`,
      '-blockdev',
      `qcow2,node-name=dst,file.driver=file,file.filename=${join(d, 'dst.qcow2')}`,
    ],
  };
}

async function jobStatus(qemu: TestQemu, id: string): Promise<string | undefined> {
  const jobs = await qemu.direct.execute<{ id: string; status: string }[]>('query-jobs');
  return jobs.find((j) => j.id === id)?.status;
}

test('a speed-limited mirror shows progress, rate and ETA, gets ready, and completes from the UI', async ({
  page,
  served,
  qemu,
}) => {
  await page.goto(served.url);
  await expect(jobsPanel(page).getByText('No block jobs')).toBeVisible();
  await addTarget(qemu, 'data-copy', 'raw', '128M');
  await qemu.direct.execute('blockdev-mirror', {
    'job-id': 'mirror-data',
    device: 'data',
    target: 'data-copy',
    sync: 'full',
    speed: 16 * MiB,
    'buf-size': MiB,
  });

  const card = jobCard(page, 'mirror-data');
  await expect(statusOf(card)).toHaveText('Running');
  await expect(card.getByRole('button', { name: 'data', exact: true })).toBeVisible();
  await expect(card.getByRole('button', { name: 'data-copy' })).toBeVisible();
  await expect(card.getByRole('group', { name: 'Limit' })).toContainText('16 MiB/s');

  await expect.poll(() => progressOf(card)).toBeGreaterThan(0);
  const early = await progressOf(card);
  await expect.poll(() => progressOf(card)).toBeGreaterThan(early);
  // A measured rate near the 16 MiB/s limit (never above it) and an estimate of the time left.
  await expect(card.getByRole('group', { name: 'Rate' })).toContainText(/\d+(\.\d)? MiB\/s/);
  const rate = Number(
    /([\d.]+) MiB\/s/.exec(
      (await card.getByRole('group', { name: 'Rate' }).textContent()) ?? '',
    )?.[1],
  );
  expect(rate).toBeGreaterThan(4); // plausible even on a loaded machine; never above the limit
  expect(rate).toBeLessThanOrEqual(16);
  await expect(card.getByRole('group', { name: 'ETA (estimate)' })).toContainText('≈');
  await expect(card.getByRole('button', { name: 'Complete' })).toHaveCount(0);

  await expect(statusOf(card)).toHaveText('Ready to complete', { timeout: 30_000 });
  await expect.poll(() => progressOf(card), { timeout: 2_000 }).toBe(100);
  await expect(page).toHaveTitle('(1 ready) Blockscope'); // seen from a background tab
  await card.getByRole('button', { name: 'Complete' }).click();

  const finished = jobsPanel(page).getByRole('region', { name: 'Finished jobs' });
  await expect(finished.getByRole('article', { name: 'Job mirror-data' })).toContainText(
    'Completed',
  );
  // The disk switched over to the copy; the graph no longer shows the job.
  const blocks =
    await qemu.direct.execute<{ qdev: string; inserted?: { 'node-name': string } }[]>(
      'query-block',
    );
  expect(blocks.find((b) => b.qdev.includes('vdb'))?.inserted?.['node-name']).toBe('data-copy');
  await expect(page.locator('[data-testid="job-node"][data-job-id="mirror-data"]')).toHaveCount(0);
  await expect(page).toHaveTitle(/^Blockscope/);
});

test('a backup runs to completion with pause and resume from the UI', async ({
  page,
  served,
  qemu,
}) => {
  await page.goto(served.url);
  await addTarget(qemu, 'logs-backup', 'qcow2', '64M');
  await qemu.direct.execute('blockdev-backup', {
    'job-id': 'backup-logs',
    device: 'logs-throttle',
    target: 'logs-backup',
    sync: 'full',
    speed: 8 * MiB,
    'auto-dismiss': false,
  });
  const card = jobCard(page, 'backup-logs');
  await expect.poll(() => progressOf(card)).toBeGreaterThan(0);
  await expect(statusOf(card)).toHaveText('Running');

  await card.getByRole('button', { name: 'Pause' }).click();
  await expect(statusOf(card)).toHaveText('Paused');
  expect(await jobStatus(qemu, 'backup-logs')).toBe('paused');
  await expect(card.getByRole('button', { name: 'Pause' })).toHaveCount(0);

  await card.getByRole('button', { name: 'Resume' }).click();
  await expect(statusOf(card)).toHaveText('Running');
  expect(await jobStatus(qemu, 'backup-logs')).not.toBe('paused');

  // auto-dismiss off: the job waits, concluded, for the operator to dismiss it.
  await expect(statusOf(card)).toHaveText('Concluded', { timeout: 30_000 });
  expect(await progressOf(card)).toBe(100);
  await card.getByRole('button', { name: 'Dismiss' }).click();
  const finished = jobsPanel(page).getByRole('region', { name: 'Finished jobs' });
  await expect(finished.getByRole('article', { name: 'Job backup-logs' })).toContainText(
    'Completed',
  );
  expect(await jobStatus(qemu, 'backup-logs')).toBeUndefined();
});

test('a running job can be slowed down and cancelled from the UI', async ({
  page,
  served,
  qemu,
}) => {
  await page.goto(served.url);
  await addTarget(qemu, 'os-copy', 'qcow2', '256M');
  await qemu.direct.execute('blockdev-mirror', {
    'job-id': 'mirror-os',
    device: 'os-top',
    target: 'os-copy',
    sync: 'full',
    speed: 1 * MiB,
  });
  const card = jobCard(page, 'mirror-os');
  await expect(statusOf(card)).toHaveText('Running');

  await card.getByRole('textbox', { name: 'Speed limit for mirror-os in bytes/s' }).fill('2M');
  await card.getByRole('button', { name: 'Set speed' }).click();
  await expect(card.getByRole('group', { name: 'Limit' })).toContainText('2 MiB/s');
  const blockJobs =
    await qemu.direct.execute<{ device: string; speed: number }[]>('query-block-jobs');
  expect(blockJobs.find((j) => j.device === 'mirror-os')?.speed).toBe(2 * MiB);

  // A value no JSON number carries exactly, and a decimal unit: refused in the page, with the
  // reason, and nothing reaches QEMU (the job keeps its 2 MiB/s).
  const speed = card.getByRole('textbox', { name: 'Speed limit for mirror-os in bytes/s' });
  await speed.fill('9000T');
  await card.getByRole('button', { name: 'Set speed' }).click();
  await expect(card.getByRole('alert')).toContainText('Speed is too large to send exactly');
  await speed.fill('20 MB/s');
  await card.getByRole('button', { name: 'Set speed' }).click();
  await expect(card.getByRole('alert')).toContainText("QEMU's units are binary: write 20M/s");
  const unchanged =
    await qemu.direct.execute<{ device: string; speed: number }[]>('query-block-jobs');
  expect(unchanged.find((j) => j.device === 'mirror-os')?.speed).toBe(2 * MiB);

  // Cancel asks first, naming the job and what it has copied; keeping it sends nothing.
  await expect(card.getByRole('progressbar')).not.toHaveAttribute('aria-valuetext', /\(0 B of/);
  await card.getByRole('button', { name: 'Cancel' }).click();
  const confirm = card.getByRole('alertdialog', { name: 'Cancel job mirror-os?' });
  await expect(confirm).toContainText(/It has copied [\d.]+ \w?i?B of 256 MiB/);
  await confirm.getByRole('button', { name: 'Keep it running' }).click();
  await expect(confirm).toHaveCount(0);
  expect(await jobStatus(qemu, 'mirror-os')).toBe('running');
  await card.getByRole('button', { name: 'Cancel' }).click();
  await card.getByRole('button', { name: 'Yes, cancel mirror-os' }).click();
  const finished = jobsPanel(page).getByRole('region', { name: 'Finished jobs' });
  await expect(finished.getByRole('article', { name: 'Job mirror-os' })).toContainText('Cancelled');
  expect(await jobStatus(qemu, 'mirror-os')).toBeUndefined();
});

test("a failing job is reported with QEMU's error text, and the burst of errors stays readable", async ({
  page,
  served,
  qemu,
}) => {
  await page.goto(served.url);
  await addTarget(qemu, 'logs-full', 'qcow2', '64M', { errno: 28 }); // ENOSPC on every write
  await qemu.direct.execute('blockdev-mirror', {
    'job-id': 'mirror-full',
    device: 'logs-throttle',
    target: 'logs-full',
    sync: 'full',
    'auto-dismiss': false,
  });
  const card = jobCard(page, 'mirror-full');
  await expect(statusOf(card)).toHaveText('Failed');
  await expect(card.getByRole('list', { name: 'Errors of mirror-full' })).toContainText(
    'No space left on device',
  );

  // The event log shows the burst of BLOCK_JOB_ERROR as one row with a count.
  await page.getByRole('tab', { name: 'Event log' }).click();
  const log = page.getByRole('region', { name: 'Event log' });
  await log.getByRole('combobox', { name: 'Filter events' }).fill('BLOCK_JOB_ERROR');
  const rows = log.getByRole('list', { name: 'Events' }).getByRole('listitem');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText(/×\d+/);

  await card.getByRole('button', { name: 'Dismiss' }).click();
  const finished = jobsPanel(page).getByRole('region', { name: 'Finished jobs' });
  const gone = finished.getByRole('article', { name: 'Job mirror-full' });
  await expect(gone).toContainText('Failed');
  await expect(gone).toContainText('No space left on device');
});

test('after a reload in the middle of a mirror the same job shows, with progress not lower', async ({
  page,
  served,
  qemu,
}) => {
  await page.goto(served.url);
  await addTarget(qemu, 'data-copy2', 'raw', '128M');
  await qemu.direct.execute('blockdev-mirror', {
    'job-id': 'mirror-reload',
    device: 'data-copy',
    target: 'data-copy2',
    sync: 'full',
    speed: 4 * MiB,
    'buf-size': MiB,
  });
  const card = jobCard(page, 'mirror-reload');
  await expect.poll(() => progressOf(card)).toBeGreaterThan(2);
  const before = await progressOf(card);

  await page.reload();
  await expect(statusOf(card)).toHaveText('Running');
  expect(await progressOf(card)).toBeGreaterThanOrEqual(before);

  await qemu.direct.execute('job-cancel', { id: 'mirror-reload' });
  await expect(
    jobsPanel(page).getByRole('region', { name: 'Finished jobs' }).getByRole('article', {
      name: 'Job mirror-reload',
    }),
  ).toContainText('Cancelled');
});

test('a blockdev-create job started elsewhere is listed with its error and dismissed from the UI', async ({
  page,
  served,
  qemu,
}) => {
  await page.goto(served.url);
  await expect(jobsPanel(page).getByText('No block jobs')).toBeVisible();
  const filename = join(qemu.dir, 'created.raw');
  await qemu.direct.execute('blockdev-create', {
    'job-id': 'create-file',
    options: { driver: 'file', filename, size: 0 },
  });
  await qemu.direct.execute('blockdev-add', { driver: 'file', 'node-name': 'created', filename });
  await qemu.direct.execute('blockdev-create', {
    'job-id': 'create-bad',
    options: { driver: 'qcow2', file: 'created', size: 1000 },
  });
  const card = jobCard(page, 'create-bad');
  await expect(card.getByText('create', { exact: true })).toBeVisible(); // the job type
  await expect(statusOf(card)).toHaveText('Failed');
  await expect(card.getByRole('list', { name: 'Errors of create-bad' })).toContainText(
    'multiple of 512',
  );
  // blockdev-create jobs always wait, concluded, for a dismiss (they are not block jobs).
  await expect(statusOf(jobCard(page, 'create-file'))).toHaveText('Concluded');
  await jobCard(page, 'create-file').getByRole('button', { name: 'Dismiss' }).click();
  await card.getByRole('button', { name: 'Dismiss' }).click();
  const finished = jobsPanel(page).getByRole('region', { name: 'Finished jobs' });
  await expect(finished.getByRole('article', { name: 'Job create-bad' })).toContainText('Failed');
  // The creation that went well is folded into one line; its card is there when opened.
  const folded = finished.getByText('1 image creation completed (create-file)');
  await expect(folded).toBeVisible();
  await expect(finished.getByRole('article', { name: 'Job create-file' })).toBeHidden();
  await folded.click();
  await expect(finished.getByRole('article', { name: 'Job create-file' })).toContainText(
    'Completed',
  );
  await expect(jobsPanel(page).getByText('No block jobs')).toBeVisible();
  expect(await qemu.direct.execute('query-jobs')).toEqual([]);
});

test('after QEMU restarts under the proxy, the panel shows what the new QEMU has: no stale rows', async ({
  page,
}) => {
  const first = await startTestQemu(soloQemu());
  let second: TestQemu | undefined;
  const served = await startBlockscope(['serve', '--target', `solo=unix:${first.qmpSocket}`]);
  try {
    await page.goto(served.url);
    await first.direct.execute('blockdev-mirror', {
      'job-id': 'solo-mirror',
      device: 'src',
      target: 'dst',
      sync: 'full',
      speed: 1 * MiB,
    });
    await expect(statusOf(jobCard(page, 'solo-mirror'))).toHaveText('Running');

    // QEMU dies (no chance to send the job's last events) and comes back on the same socket
    // without the job.
    first.direct.close();
    process.kill(first.process.pid, 'SIGKILL');
    await first.process.stop();
    second = await startTestQemu(soloQemu(first.dir));
    await expect(jobsPanel(page).getByText('No block jobs')).toBeVisible({ timeout: 30_000 });
    const finished = jobsPanel(page).getByRole('region', { name: 'Finished jobs' });
    await expect(finished.getByRole('article', { name: 'Job solo-mirror' })).toContainText(
      'Ended while not watched',
    );
    await expect(
      jobsPanel(page).getByRole('status', { name: 'Status of solo-mirror' }),
    ).not.toHaveText('Running');
  } finally {
    await served.stop();
    await (second ?? first).stop();
  }
});

test('a viewer session sees the jobs but is offered no controls', async ({ page }) => {
  const qemu = await startTestQemu(soloQemu());
  const viewerTokenFile = join(qemu.dir, 'viewer.token');
  const served = await startBlockscope([
    'serve',
    '--target',
    `solo=unix:${qemu.qmpSocket}`,
    '--viewer-token-file',
    viewerTokenFile,
  ]);
  try {
    const viewerToken = (await readFile(viewerTokenFile, 'utf8')).trim();
    await page.goto(`${served.origin}/#token=${viewerToken}`);
    await qemu.direct.execute('blockdev-mirror', {
      'job-id': 'watched',
      device: 'src',
      target: 'dst',
      sync: 'full',
      speed: 1 * MiB,
    });
    const card = jobCard(page, 'watched');
    await expect(statusOf(card)).toHaveText('Running');
    await expect(
      jobsPanel(page).getByText('Read-only session: job controls are hidden.'),
    ).toBeVisible();
    await expect(card.getByRole('button')).toHaveCount(2); // only the source/target node links
    await expect(card.getByRole('button', { name: 'Cancel' })).toHaveCount(0);
  } finally {
    await served.stop();
    await qemu.stop();
  }
});
