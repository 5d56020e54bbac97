// A libvirt guest in Chromium, through the real `bin/blockscope serve --libvirt URI` and a
// libvirtd of the test's own (test/harness/libvirt.ts): the page shows the target as managed by
// libvirt and says once that watching taints it, names the disk as libvirt does beside libvirt's
// node names, offers each operation as the virsh command to copy, follows a virsh blockcopy
// started outside Blockscope in the Jobs panel to its end, and follows guests that start and stop.
import type { Page } from '@playwright/test';
import { startTestLibvirt, type TestGuest, type TestLibvirt } from '../test/harness/libvirt.ts';
import { expect, startBlockscope, test, type Served } from './fixtures.ts';

const QDEV = '/machine/peripheral/virtio-disk0/virtio-backend';
let libvirt: TestLibvirt;
let served: Served;
let guest: TestGuest;

test.beforeAll(async () => {
  libvirt = await startTestLibvirt();
  guest = await libvirt.createGuest('bs-e2e', [
    {
      target: 'vda',
      chain: ['e2e-base.qcow2', 'e2e-top.qcow2'],
      size: '24M',
      data: [{ offset: 0, length: '12M', pattern: 0x6b }],
    },
  ]);
  served = await startBlockscope(['serve', '--libvirt', libvirt.uri]);
});

test.afterAll(async () => {
  await served?.stop();
  await libvirt?.stop();
});

const picker = (page: Page) => page.getByRole('combobox', { name: /^Target/ });
const jobsPanel = (page: Page) => page.getByRole('complementary', { name: 'Jobs' });
const device = (page: Page) => page.locator(`[data-testid="block-node"][data-node-name="${QDEV}"]`);

async function open(page: Page): Promise<void> {
  await page.goto(served.url);
  await expect(picker(page)).toContainText(/bs-e2e — connected .*· libvirt/);
}

/** The device card's lower half: its top may sit under the graph's toolbar. */
const clickDevice = (page: Page) => device(page).click({ position: { x: 40, y: 60 } });

test('shows the guest as managed by libvirt, says once that watching taints it, and names its disk', async ({
  page,
}) => {
  await open(page);
  const banner = page.getByRole('region', { name: 'Managed by libvirt' });
  await expect(banner).toContainText('domain bs-e2e on');
  await expect(banner).toContainText(libvirt.uri);
  await expect(banner).toContainText('Blockscope only watches it');
  const taint = banner.getByRole('note');
  await expect(taint).toContainText('marks the domain tainted (custom-monitor)');
  await taint.getByRole('button', { name: 'Understood' }).click();
  await expect(banner.getByRole('note')).toHaveCount(0);
  await page.reload();
  await expect(page.getByRole('region', { name: 'Managed by libvirt' })).toBeVisible();
  await expect(
    page.getByRole('region', { name: 'Managed by libvirt' }).getByRole('note'),
  ).toHaveCount(0);

  // libvirt's node names in the graph, and libvirt's name for the disk beside the device
  for (const name of ['libvirt-1-format', 'libvirt-1-storage', 'libvirt-2-format']) {
    await expect(page.locator(`[data-testid="block-node"][data-node-name="${name}"]`)).toHaveCount(
      1,
    );
  }
  await expect(device(page)).toContainText('vda');
  await clickDevice(page);
  const details = page.getByRole('complementary', { name: 'Node details' });
  await expect(details.getByRole('definition').filter({ hasText: 'vda (disk, file)' })).toHaveCount(
    1,
  );
  await expect(details).toContainText(guest.images['e2e-top.qcow2']!);
});

test('offers each operation as the virsh command to copy, with the disk and its source', async ({
  page,
  context,
}) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await open(page);
  await clickDevice(page);
  const details = page.getByRole('complementary', { name: 'Node details' });
  await details.getByRole('button', { name: 'Mirror' }).click();
  const dialog = page.getByRole('dialog', { name: 'Copy vda with virsh blockcopy' });
  await expect(dialog).toContainText('libvirt manages bs-e2e');
  const copyLine = `blockcopy bs-e2e vda ${libvirt.dir}/e2e-top-copy.qcow2 --format qcow2`;
  const step = dialog.getByLabel('Step 1 of Copy vda with virsh blockcopy', { exact: true });
  await expect(step).toContainText(copyLine);
  await dialog
    .getByRole('button', { name: 'Copy: Step 1 of Copy vda with virsh blockcopy' })
    .click();
  await expect(dialog.getByRole('button', { name: /Copy: Step 1/ })).toHaveText('Copied');
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied).toBe(await step.textContent());
  expect(copied).toContain(`virsh -c '${libvirt.uri}' ${copyLine}`);
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);

  await details.getByRole('button', { name: 'Throttle' }).click();
  await expect(
    page.getByRole('dialog', { name: 'Limit vda with virsh blkdeviotune' }),
  ).toContainText('blkdeviotune bs-e2e vda --total-bytes-sec 10485760 --live');
  await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();

  // a block node below the device: Remove is libvirt's too
  await page.locator('[data-testid="block-node"][data-node-name="libvirt-1-storage"]').click();
  const remove = details.getByRole('button', { name: 'Remove node' });
  await expect(remove).toBeDisabled();
  await expect(details).toContainText("libvirt manages bs-e2e's disks: use virsh detach-disk");
});

test('follows a virsh blockcopy started outside Blockscope in the Jobs panel to its end', async ({
  page,
}) => {
  await open(page);
  await expect(jobsPanel(page)).toContainText('No block jobs');
  const dest = `${libvirt.dir}/e2e-dest.qcow2`;
  // 24 MiB at 4 MiB/s: about six seconds of progress to watch.
  await libvirt.virsh([
    ...['blockcopy', guest.uuid, 'vda', dest],
    ...['--format', 'qcow2', '--bandwidth', '4', '--transient-job'],
  ]);
  const card = jobsPanel(page).getByRole('article', { name: /^Job copy-vda-libvirt-\d+-format$/ });
  await expect(card).toBeVisible();
  const bar = card.getByRole('progressbar');
  const first = Number(await bar.getAttribute('aria-valuenow'));
  await expect
    .poll(async () => Number(await bar.getAttribute('aria-valuenow')))
    .toBeGreaterThan(first);
  expect(first).toBeLessThan(100);
  // the job in the graph too, while it runs
  await expect(page.getByTestId('job-node')).toHaveCount(1);
  await expect(card.getByRole('status')).toHaveText(/ready/i, { timeout: 30_000 });
  // its controls are libvirt's: the virsh line to switch over
  await card.getByText('Controlled by libvirt: virsh commands').click();
  await expect(card).toContainText(`blockjob bs-e2e vda --pivot`);
  await expect(card.getByRole('button', { name: 'Complete' })).toHaveCount(0);

  await libvirt.virsh(['blockjob', guest.uuid, 'vda', '--pivot']);
  await expect(jobsPanel(page)).toContainText('No block jobs', { timeout: 20_000 });
  const finished = jobsPanel(page).getByRole('region', { name: 'Finished jobs' });
  await expect(
    finished.getByRole('article', { name: /^Job copy-vda-libvirt-\d+-format$/ }),
  ).toContainText('Completed');
  // the device now reads the copy, and the page says so beside the disk's name
  await clickDevice(page);
  await expect(page.getByRole('complementary', { name: 'Node details' })).toContainText(dest);
});

test('follows guests that start and stop, without a reload', async ({ page }) => {
  await open(page);
  const other = await libvirt.createGuest('bs-e2e-two', [
    { target: 'vda', chain: ['two.qcow2'], size: '16M' },
  ]);
  await expect(picker(page)).toContainText(/bs-e2e-two — connected .*· libvirt/);
  await other.destroy();
  await expect(picker(page)).toContainText('bs-e2e-two — gone');
  await expect(picker(page)).toContainText(/bs-e2e — connected/);
});
