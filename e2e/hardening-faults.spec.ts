// Faults with a page open, in Chromium: the proxy restarted in the middle of a job (same port and
// token file), and QEMU killed with -9 and restarted on the same socket with a new job. In both
// the page recovers without a reload (a value stored on `window` survives) and the jobs panel
// shows what a direct query says.
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { openGraph, openOperation } from '../test/fixtures/operations/e2e-helpers.ts';
import { buildChain, freePort, systemArgs } from '../test/fixtures/operations/vm.ts';
import { startBlockscope } from '../test/harness/blockscope.ts';
import { startTestQemu, type TestQemu } from '../test/harness/qemu.ts';
import { blockscopeBin } from '../test/harness/server-build.ts';
import { expect, test } from './fixtures.ts';

const MiB = 1024 * 1024;

/** `bin/blockscope serve` on a fixed port, so a restarted proxy is found at the same address. */
async function serveOn(port: number, args: string[]) {
  const child = spawn(
    process.execPath,
    [blockscopeBin(), 'serve', ...args, '--listen', `127.0.0.1:${port}`],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const match = /^Blockscope: (\S+)$/.exec(line);
      if (match?.[1]) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`blockscope exited with ${code}`)));
  });
  return {
    url,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

const nullNodes = [
  '-blockdev',
  `null-co,node-name=src,size=${512 * MiB}`,
  '-blockdev',
  `null-co,node-name=dst,size=${512 * MiB}`,
];
const card = (page: Page, id: string) =>
  page.getByRole('complementary', { name: 'Jobs' }).getByRole('article', { name: `Job ${id}` });

async function markPage(page: Page) {
  await page.evaluate(() => ((window as unknown as { sentinel: number }).sentinel = 42));
}
async function samePage(page: Page) {
  return page.evaluate(() => (window as unknown as { sentinel?: number }).sentinel === 42);
}

async function directJob(qemu: TestQemu, id: string) {
  const jobs = await qemu.direct.execute<{ id: string; status: string }[]>('query-jobs');
  return jobs.find((j) => j.id === id);
}

test('the proxy restarted during a job: the open page reconnects and shows the job as QEMU has it', async ({
  page,
}) => {
  const qemu = await startTestQemu({ args: nullNodes });
  const port = await freePort();
  const args = ['--target', `vm=unix:${qemu.qmpSocket}`, '--token-file', join(qemu.dir, 'token')];
  let served = await serveOn(port, args);
  try {
    await page.goto(served.url);
    await markPage(page);
    const mirror = { 'job-id': 'px', device: 'src', target: 'dst', sync: 'full', speed: 8 * MiB };
    await qemu.direct.execute('blockdev-mirror', mirror);
    await expect(card(page, 'px').getByRole('status')).toHaveText('Running');

    await served.stop();
    served = await serveOn(port, args);
    // The job went on in QEMU; after the reconnect the panel shows it with QEMU's progress.
    await expect(card(page, 'px').getByRole('status')).toHaveText('Running', { timeout: 30_000 });
    const job = (
      await qemu.direct.execute<
        { id: string; 'current-progress': number; 'total-progress': number }[]
      >('query-jobs')
    )[0]!;
    const percent = Math.floor((100 * job['current-progress']) / job['total-progress']);
    await expect
      .poll(async () =>
        Number(await card(page, 'px').getByRole('progressbar').getAttribute('aria-valuenow')),
      )
      .toBeGreaterThanOrEqual(percent);
    expect(await samePage(page)).toBe(true);
    expect((await directJob(qemu, 'px'))?.status).toBe('running');
  } finally {
    await served.stop();
    await qemu.stop();
  }
});

test('QEMU killed with -9 and restarted: the open page shows the new job, equal to a direct query', async ({
  page,
}) => {
  const first = await startTestQemu({ args: nullNodes });
  let second: TestQemu | undefined;
  const port = await freePort();
  const served = await serveOn(port, ['--target', `vm=unix:${first.qmpSocket}`]);
  try {
    await page.goto(served.url);
    await markPage(page);
    const mirror = { 'job-id': 'old', device: 'src', target: 'dst', sync: 'full', speed: MiB };
    await first.direct.execute('blockdev-mirror', mirror);
    await expect(card(page, 'old').getByRole('status')).toHaveText('Running');

    first.direct.close();
    process.kill(first.process.pid, 'SIGKILL');
    await first.process.stop();
    second = await startTestQemu({ dir: first.dir, args: nullNodes });
    await second.direct.execute('blockdev-mirror', { ...mirror, 'job-id': 'new' });
    await second.direct.execute('job-pause', { id: 'new' });

    await expect(card(page, 'new').getByRole('status')).toHaveText('Paused', { timeout: 30_000 });
    expect((await directJob(second, 'new'))?.status).toBe('paused');
    await expect(card(page, 'old').getByRole('status')).not.toHaveText('Running');
    expect(await directJob(second, 'old')).toBeUndefined();
    expect(await samePage(page)).toBe(true);
  } finally {
    await served.stop();
    await (second ?? first).stop();
  }
});

test('after QEMU is killed with an NBD export and restarted, exporting from the open page works at once', async ({
  page,
}) => {
  const first = await startTestQemu({ prepare: buildChain, args: systemArgs });
  let second: TestQemu | undefined;
  const served = await startBlockscope([
    'serve',
    '--target',
    `ops=unix:${first.qmpSocket}`,
    '--allow-path',
    first.dir,
  ]);
  const exportTop = async (port: number) => {
    const dialog = await openOperation(page, 'top', 'Export');
    // A QEMU that was just started has no NBD server, whatever the page knew before.
    await expect(dialog).toContainText('The NBD server will be started.');
    await dialog.getByText('Options').click();
    await dialog.getByLabel('Port', { exact: true }).fill(String(port));
    await dialog.getByRole('button', { name: 'Export', exact: true }).click();
    await expect(dialog.getByLabel('Export URI')).toHaveText(`nbd://127.0.0.1:${port}/top`);
    const { stdout } = await promisify(execFile)('/usr/bin/nbdinfo', [
      '--size',
      `nbd://127.0.0.1:${port}/top`,
    ]);
    expect(Number(stdout.trim())).toBe(16 * MiB);
    await dialog.getByRole('button', { name: 'Close' }).click();
  };
  try {
    await openGraph(page, served.url);
    await markPage(page);
    await exportTop(await freePort());

    first.direct.close();
    process.kill(first.process.pid, 'SIGKILL');
    await first.process.stop();
    second = await startTestQemu({ dir: first.dir, args: systemArgs });
    await expect(page.getByRole('region', { name: 'Block graph' }).getByRole('status')).toHaveText(
      /\d+ nodes/,
      { timeout: 30_000 },
    );
    expect(await second.direct.execute('query-block-exports')).toEqual([]);
    // The graph follows the new QEMU: the old export's card ("top" as well) goes away.
    await expect(page.locator('[data-testid="block-node"][data-node-name="top"]')).toHaveCount(1, {
      timeout: 30_000,
    });
    await exportTop(await freePort());
    expect(await samePage(page)).toBe(true);
  } finally {
    await served.stop();
    await (second ?? first).stop();
  }
});
