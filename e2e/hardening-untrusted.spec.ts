// Untrusted strings and links in Chromium, through the real server and a real QEMU. File names
// from disk images (graph.spec.ts covers the graph and node details) must also be text in the run
// command result and in a job's error; a deep link with command-like parameters runs nothing,
// which the audit log and a direct query confirm. A tab closed in the middle of a job and opened
// again shows the job with progress not below what QEMU reported in between.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { createImage } from '../test/harness/qemu.ts';
import { expect, startBlockscope, test as base, type Served } from './fixtures.ts';

const EVIL_DIR = '<img src=x onerror=alert(1)>';
// A file name cannot hold '/', so the script tag stays unclosed; innerHTML would still parse it.
const EVIL_FILE = '<script>alert(2)<script>.raw';

// Its own server, allowed to open the test QEMU's images, and keeping an audit log.
const test = base.extend<object, { audited: Served & { auditLog: string } }>({
  audited: [
    async ({ qemu }, use) => {
      const auditLog = join(qemu.dir, 'hardening-audit.jsonl');
      const served = await startBlockscope([
        'serve',
        '--target',
        `demo=unix:${qemu.qmpSocket}`,
        '--allow-path',
        qemu.dir,
        '--audit-log',
        auditLog,
      ]);
      await use({ ...served, auditLog });
      await served.stop();
    },
    { scope: 'worker' },
  ],
});

/** Fails the test on any dialog (alert) the page opens. */
function watchDialogs(page: Page): string[] {
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  return dialogs;
}

async function auditCommands(path: string): Promise<string[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { command: string | null })
    .filter((e) => e.command !== null)
    .map((e) => e.command!);
}

test('file names with HTML are text in the run command result and in a job error', async ({
  page,
  audited,
  qemu,
}) => {
  const dialogs = watchDialogs(page);
  const dir = join(qemu.dir, EVIL_DIR);
  await mkdir(dir, { recursive: true });
  const evil = join(dir, EVIL_FILE);
  await createImage({ path: evil, format: 'raw', size: '1M' });
  await qemu.direct.execute('blockdev-add', {
    driver: 'raw',
    'node-name': 'evil-raw',
    file: { driver: 'file', filename: evil },
  });
  // A job whose error names a file that cannot be created inside the evil directory.
  await qemu.direct.execute('blockdev-create', {
    'job-id': 'create-evil',
    options: { driver: 'file', filename: join(dir, 'missing', EVIL_FILE), size: 0 },
  });

  await page.goto(audited.url);
  const card = page
    .getByRole('complementary', { name: 'Jobs' })
    .getByRole('article', { name: 'Job create-evil' });
  await expect(card.getByRole('status')).toHaveText('Failed');
  await expect(card.getByRole('list', { name: 'Errors of create-evil' })).toContainText(
    `${EVIL_DIR}/missing/${EVIL_FILE}`,
  );

  await page.getByRole('tab', { name: 'Run command' }).click();
  const panel = page.getByRole('region', { name: 'Run command' });
  await panel.getByRole('combobox', { name: /^Command/ }).fill('query-named-block-nodes');
  const form = panel.getByRole('form', { name: 'query-named-block-nodes arguments' });
  await form.getByRole('button', { name: 'Run query-named-block-nodes' }).click();
  const result = page.getByRole('region', { name: 'Command result' });
  await expect(result).toContainText(EVIL_FILE);
  await expect(result).toContainText(EVIL_DIR);

  await expect(page.locator('img[src="x"]')).toHaveCount(0);
  expect(await page.locator('script').evaluateAll((s) => s.map((e) => e.textContent))).not.toEqual(
    expect.arrayContaining([expect.stringContaining('alert(2)')]),
  );
  expect(dialogs).toEqual([]);
  await qemu.direct.execute('job-dismiss', { id: 'create-evil' });
  await qemu.direct.execute('blockdev-del', { 'node-name': 'evil-raw' });
});

test('a deep link with command-like parameters runs nothing', async ({ page, audited, qemu }) => {
  const dialogs = watchDialogs(page);
  const before = await qemu.direct.execute<{ 'node-name': string }[]>('query-named-block-nodes', {
    flat: true,
  });
  const auditBefore = await auditCommands(audited.auditLog);
  const victim = before[0]!['node-name'];
  const links = [
    `${audited.url}&command=quit&execute=blockdev-del&node-name=${victim}`,
    `${audited.origin}/?execute=blockdev-del&arguments=${encodeURIComponent(
      JSON.stringify({ 'node-name': victim }),
    )}#token=${audited.token}`,
    `${audited.origin}/#token=${audited.token}&run=${encodeURIComponent(
      JSON.stringify({ execute: 'blockdev-del', arguments: { 'node-name': victim } }),
    )}`,
  ];
  for (const link of links) {
    await page.goto(link);
    await expect(page.getByRole('region', { name: 'Block graph' }).getByRole('status')).toHaveText(
      /\d+ nodes/,
    );
  }
  const after = await qemu.direct.execute<{ 'node-name': string }[]>('query-named-block-nodes', {
    flat: true,
  });
  expect(after.map((n) => n['node-name']).sort()).toEqual(before.map((n) => n['node-name']).sort());
  expect(await qemu.direct.execute('query-status')).toMatchObject({ status: 'prelaunch' });
  // Nothing mutating or refused reached the proxy from those page loads.
  expect(await auditCommands(audited.auditLog)).toEqual(auditBefore);
  expect(dialogs).toEqual([]);
});

test('a tab closed in the middle of a job and opened again shows it, progress not lower', async ({
  page,
  audited,
  qemu,
}) => {
  const MiB = 1024 * 1024;
  for (const name of ['tab-src', 'tab-dst']) {
    await qemu.direct.execute('blockdev-add', {
      driver: 'null-co',
      'node-name': name,
      size: 256 * MiB,
    });
  }
  await page.goto(audited.url);
  await qemu.direct.execute('blockdev-mirror', {
    'job-id': 'tab-mirror',
    device: 'tab-src',
    target: 'tab-dst',
    sync: 'full',
    speed: 8 * MiB,
  });
  const cardIn = (p: Page) =>
    p.getByRole('complementary', { name: 'Jobs' }).getByRole('article', { name: 'Job tab-mirror' });
  await expect(cardIn(page).getByRole('status')).toHaveText('Running');
  await page.close();

  const jobs =
    await qemu.direct.execute<
      { id: string; 'current-progress': number; 'total-progress': number }[]
    >('query-jobs');
  const job = jobs.find((j) => j.id === 'tab-mirror')!;
  const percentBefore = Math.floor((100 * job['current-progress']) / job['total-progress']);

  const reopened = await page.context().newPage();
  await reopened.goto(audited.url);
  const card = cardIn(reopened);
  await expect(card.getByRole('status')).toHaveText('Running');
  const shown = Number(await card.getByRole('progressbar').getAttribute('aria-valuenow'));
  expect(shown).toBeGreaterThanOrEqual(percentBefore);
  await qemu.direct.execute('job-cancel', { id: 'tab-mirror' });
  await expect(card.getByRole('status')).not.toHaveText('Running');
  for (const name of ['tab-dst', 'tab-src']) {
    await qemu.direct.execute('job-dismiss', { id: 'tab-mirror' }).catch(() => {});
    await qemu.direct.execute('blockdev-del', { 'node-name': name }).catch(() => {});
  }
});
