// Throttle from the graph in Chromium against a real QEMU: per-device limits typed in human
// units and read back; a throttle group with two disks attached, limits edited live, detached
// and deleted. Checked with query-block, query-named-block-nodes and qom-get.
import type { TestQemu } from '../test/harness/qemu.ts';
import {
  confirmAndWait,
  deviceNode,
  openGraph,
  openOperation,
  VDA,
  VDB,
} from '../test/fixtures/operations/e2e-helpers.ts';
import { expect, test } from '../test/fixtures/operations/e2e-fixture.ts';

async function inserted(vm: TestQemu, qdev: string): Promise<Record<string, unknown> | undefined> {
  const blocks =
    await vm.direct.execute<{ qdev: string; inserted?: Record<string, unknown> }[]>('query-block');
  return blocks.find((b) => b.qdev === qdev)?.inserted;
}

test('device limits in bytes/s and IOPS, read back from QEMU', async ({ page, served, vm }) => {
  await openGraph(page, served.url);
  const dialog = await openOperation(page, VDB, 'Throttle');
  // Titled by the device's short name, not its QOM path.
  await expect(dialog.getByRole('heading', { level: 2 })).toHaveText('Throttle vdb');
  const device = dialog.getByRole('region', { name: 'Device limits' });
  await expect(device.getByLabel('Current device limits')).toHaveText('unlimited');
  await device.getByLabel('Bandwidth, total (bytes/s)', { exact: true }).fill('20M/s');
  await device.getByLabel('Operations, total (IOPS)', { exact: true }).fill('400');
  await device.getByText('Bursts and request size').click();
  await device.getByLabel('Operations, total burst (IOPS)', { exact: true }).fill('1000');
  await confirmAndWait(device, 'Apply device limits');
  expect(await inserted(vm, VDB)).toMatchObject({
    bps: 20 * 1024 * 1024,
    iops: 400,
    iops_max: 1000,
  });
  await expect(device.getByLabel('Current device limits')).toHaveText(
    '20 MiB/s total · 400 IOPS total (burst 1000 IOPS)',
  );
});

test('a throttle group shared by two disks, edited live, then removed', async ({
  page,
  served,
  vm,
}) => {
  await openGraph(page, served.url);
  let dialog = await openOperation(page, VDB, 'Throttle');
  let groups = dialog.getByRole('region', { name: 'Throttle groups' });
  await groups.getByText('New throttle group').click();
  await groups.getByLabel('Group id').fill('tg1');
  await groups.getByLabel('Bandwidth, total (bytes/s)', { exact: true }).fill('8 MiB/s');
  await confirmAndWait(groups, 'Create group');
  // Made, so its id is taken: the form says nothing red about the name it just used.
  await expect(groups.getByLabel('Group id')).toHaveValue('tg1');
  await expect(groups.getByLabel('Group id')).not.toHaveAttribute('aria-invalid', 'true');
  await expect(groups.getByText("A throttle group 'tg1' already exists.")).toHaveCount(0);
  await groups.getByRole('button', { name: 'New group' }).click();
  await expect(groups.getByLabel('Group id')).not.toHaveValue('tg1');
  await groups.getByRole('button', { name: 'Attach data to tg1' }).click();
  await confirmAndWait(groups, 'Confirm');
  await expect.poll(() => deviceNode(vm, VDB)).toBe('data-throttle');
  await dialog.getByRole('button', { name: 'Close' }).click();

  dialog = await openOperation(page, VDA, 'Throttle');
  groups = dialog.getByRole('region', { name: 'Throttle groups' });
  await groups.getByRole('button', { name: 'Attach top to tg1' }).click();
  await confirmAndWait(groups, 'Confirm');
  await expect.poll(() => deviceNode(vm, VDA)).toBe('top-throttle');
  await expect(groups).toContainText('Members: data-throttle, top-throttle');

  await groups.getByRole('button', { name: 'Edit limits of tg1' }).click();
  const edit = groups.getByRole('group', { name: 'New limits of tg1' });
  await edit.getByLabel('Bandwidth, total (bytes/s)', { exact: true }).fill('');
  await edit.getByLabel('Operations, total (IOPS)', { exact: true }).fill('250');
  await confirmAndWait(edit, 'Apply limits of tg1');
  const limits = await vm.direct.execute<Record<string, number>>('qom-get', {
    path: '/objects/tg1',
    property: 'limits',
  });
  expect(limits).toMatchObject({ 'iops-total': 250, 'bps-total': 0 });
  await expect(groups.getByLabel('Limits of tg1', { exact: true })).toHaveText('250 IOPS total');
  // The limits show on the graph's filter nodes too.
  await expect(
    page.locator('[data-testid="block-node"][data-node-name="top-throttle"]'),
  ).toContainText('throttled tg1 · 250 IOPS');

  for (const member of ['top-throttle', 'data-throttle']) {
    await groups.getByRole('button', { name: `Detach ${member}` }).click();
    await confirmAndWait(groups, 'Confirm');
  }
  expect(await deviceNode(vm, VDA)).toBe('top');
  expect(await deviceNode(vm, VDB)).toBe('data');
  await groups.getByRole('button', { name: 'Delete group tg1' }).click();
  // The group's row (and its report) goes away with the group.
  await groups.getByRole('button', { name: 'Confirm', exact: true }).click();
  await expect(groups.getByLabel('Limits of tg1', { exact: true })).toHaveCount(0);
  const objects = await vm.direct.execute<{ name: string }[]>('qom-list', { path: '/objects' });
  expect(objects.map((o) => o.name)).not.toContain('tg1');
});
