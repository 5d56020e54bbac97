// The fleet page in Chromium with several real targets: a qemu-system and a qemu-storage-daemon
// named on the command line and another storage daemon found in a --target-dir. Every target is
// listed with its state, kind and counts, can be searched and sorted, and links into its graph;
// a job on one of them shows in the Jobs view of every target and is paused, resumed and
// cancelled from there; a target whose socket goes away is shown gone; each view has an address
// that survives a reload.
import type { Page } from '@playwright/test';
import { join } from 'node:path';
import { startQemu, type RunningQemu } from '../proxy/qemu/launch.ts';
import { makeTempDir, startTestQemu, type TestQemu } from '../test/harness/qemu.ts';
import { expect, startBlockscope, test, type Served } from './fixtures.ts';

const MiB = 1024 * 1024;
let vm: TestQemu;
let store: TestQemu;
let dir: string;
let extra: RunningQemu;
let served: Served;

test.beforeAll(async () => {
  vm = await startTestQemu({
    args: [
      '-blockdev',
      `null-co,node-name=src,size=${1024 * MiB}`,
      '-device',
      'virtio-blk-pci,id=vd0,drive=src',
      '-blockdev',
      `null-co,node-name=dst,size=${1024 * MiB}`,
    ],
  });
  store = await startTestQemu({
    kind: 'storage-daemon',
    args: ['--blockdev', `null-co,node-name=exp0,size=${16 * MiB}`],
  });
  dir = await makeTempDir('blockscope-e2e-dir-');
  extra = await startQemu({
    kind: 'storage-daemon',
    qmpSockets: [join(dir, 'extra.qmp')],
    args: ['--blockdev', `null-co,node-name=x0,size=${16 * MiB}`],
  });
  served = await startBlockscope([
    'serve',
    '--target',
    `vm1=unix:${vm.qmpSocket}`,
    '--target',
    `store=unix:${store.qmpSocket}`,
    '--target-dir',
    dir,
  ]);
});

test.afterAll(async () => {
  await served?.stop();
  await extra?.stop();
  await store?.stop();
  await vm?.stop();
});

const targetsTable = (page: Page) => page.getByRole('table', { name: 'Targets' });
const row = (page: Page, name: string) =>
  targetsTable(page).getByRole('row', { name, exact: true });

async function openFleet(page: Page): Promise<void> {
  await page.goto(served.url);
  await expect(page.getByRole('combobox', { name: /^Target/ })).toBeVisible();
  await page.goto(`${served.origin}/#/fleet`);
}

test('lists every target, searches and sorts them, and links into each graph', async ({ page }) => {
  await openFleet(page);
  await expect(page.getByRole('status')).toHaveText('3 targets (3 live)');
  await expect(row(page, 'vm1')).toContainText('connected');
  await expect(row(page, 'vm1')).toContainText('qemu-system');
  await expect(row(page, 'store')).toContainText('qemu-storage-daemon');
  await expect(row(page, 'extra')).toContainText(dir);
  // disks, nodes, exports of vm1: one drive on a device, two nodes, no export
  await expect(row(page, 'vm1').getByRole('cell')).toHaveText([
    /^vm1/,
    /^connected/,
    /^qemu-systemQEMU \d+\.\d+\.\d+/,
    '1',
    '2',
    '—',
    '0',
  ]);

  await page.getByRole('searchbox', { name: 'Search targets' }).fill('storage');
  await expect(page.getByRole('status')).toHaveText('2 of 3 targets');
  await expect(row(page, 'vm1')).toHaveCount(0);
  await page.getByRole('searchbox', { name: 'Search targets' }).fill('');

  const names = () =>
    targetsTable(page)
      .locator('tbody tr')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('aria-label')));
  await expect.poll(names).toEqual(['extra', 'store', 'vm1']);
  await page.getByRole('button', { name: 'Target' }).click();
  await expect.poll(names).toEqual(['vm1', 'store', 'extra']);
  await expect(page.getByRole('columnheader', { name: /Target/ })).toHaveAttribute(
    'aria-sort',
    'descending',
  );

  // the address names the view: a reload shows the fleet again
  await page.reload();
  await expect(page.getByRole('status')).toHaveText('3 targets (3 live)');

  await row(page, 'store').getByRole('link', { name: 'store' }).click();
  await expect(page).toHaveURL(/#\/target\/store$/);
  await expect(page.getByRole('combobox', { name: /^Target/ })).toHaveValue('store');
  await expect(page.locator('[data-testid="block-node"][data-node-name="exp0"]')).toBeVisible();
  await page.reload();
  await expect(page.getByRole('combobox', { name: /^Target/ })).toHaveValue('store');

  // a node's address opens its target with the node selected, also as the first page loaded
  await page.goto(`${served.origin}/#/target/vm1/node/dst`);
  await expect(page.getByRole('combobox', { name: /^Target/ })).toHaveValue('vm1');
  const details = page.getByRole('complementary', { name: 'Node details' });
  await expect(details.getByRole('heading', { name: 'dst', exact: true })).toBeVisible();
  await page.reload();
  await expect(details.getByRole('heading', { name: 'dst', exact: true })).toBeVisible();
});

test('shows a job in the Jobs view of every target and controls it from there', async ({
  page,
}) => {
  await openFleet(page);
  await vm.direct.execute('blockdev-mirror', {
    'job-id': 'fleet-m1',
    device: 'src',
    target: 'dst',
    sync: 'full',
    speed: 4 * MiB,
  });
  await expect(row(page, 'vm1')).toContainText('fleet-m1');
  // the job's link opens its target with the job's card
  await row(page, 'vm1').getByRole('link', { name: 'fleet-m1' }).click();
  await expect(page).toHaveURL(/#\/target\/vm1\/job\/fleet-m1$/);
  await expect(
    page
      .getByRole('complementary', { name: 'Jobs' })
      .getByRole('article', { name: 'Job fleet-m1' }),
  ).toBeInViewport();
  await page
    .getByRole('navigation', { name: 'Views' })
    .getByRole('link', { name: 'All jobs' })
    .click();
  await expect(page).toHaveURL(/#\/jobs$/);
  const jobRow = page.getByRole('row', { name: 'vm1 fleet-m1' });
  await expect(jobRow).toContainText('mirror');
  await expect(
    jobRow.getByRole('progressbar', { name: 'Progress of fleet-m1 on vm1' }),
  ).toBeVisible();
  // a measured rate under the 4 MiB/s limit, and an ETA
  await expect(jobRow.getByRole('cell').nth(4)).toHaveText(/\/s$/, { timeout: 15_000 });
  await expect(jobRow.getByRole('cell').nth(5)).toHaveText(/^≈ /, { timeout: 15_000 });

  const blockJob = async () =>
    (await vm.direct.execute<{ device: string; paused: boolean }[]>('query-block-jobs')).find(
      (j) => j.device === 'fleet-m1',
    );
  await jobRow.getByRole('button', { name: 'Pause' }).click();
  await expect.poll(async () => (await blockJob())?.paused).toBe(true);
  await expect(jobRow).toContainText(/paused/i);
  await page.reload();
  await expect(page.getByRole('row', { name: 'vm1 fleet-m1' })).toContainText(/paused/i);
  await page
    .getByRole('row', { name: 'vm1 fleet-m1' })
    .getByRole('button', { name: 'Resume' })
    .click();
  await expect.poll(async () => (await blockJob())?.paused).toBe(false);
  await page
    .getByRole('row', { name: 'vm1 fleet-m1' })
    .getByRole('button', { name: 'Cancel', exact: true })
    .click();
  // it has copied something: the panel asks first, as the target's own Jobs panel does
  await page
    .getByRole('alertdialog', { name: 'Cancel job fleet-m1?' })
    .getByRole('button', { name: 'Yes, cancel fleet-m1' })
    .click();
  await expect.poll(blockJob).toBeUndefined();
  await expect(page.getByRole('status')).toHaveText('No target has a job now.');
});

test('shows a target whose socket went away as gone', async ({ page }) => {
  await openFleet(page);
  await expect(row(page, 'extra')).toContainText('connected');
  await extra.stop();
  await expect(row(page, 'extra')).toContainText('gone');
  await expect(row(page, 'extra')).toContainText(
    `the socket ${join(dir, 'extra.qmp')} was removed`,
  );
  await expect(page.getByRole('status')).toHaveText('3 targets (2 live)');
});
