// Commit from the graph in Chromium against a real QEMU: an intermediate commit picked on the
// chain, then an active commit completed from the jobs panel. Checked with qemu-img info
// --backing-chain, query-block and qemu-img compare against the disk's original contents.
import { join } from 'node:path';
import { imageChain, imagesIdentical } from '../test/harness/qemu.ts';
import {
  confirmAndFollow,
  confirmAndWait,
  deviceNode,
  flushDevice,
  jobStatus,
  openGraph,
  openNodes,
  openOperation,
  VDA,
  waitForJobStatus,
} from '../test/fixtures/operations/e2e-helpers.ts';
import { expect, test } from '../test/fixtures/operations/e2e-fixture.ts';

const names = async (path: string) =>
  (await imageChain(path)).map((i) => i.filename.split('/').at(-1));

test('intermediate commit, then active commit with Complete', async ({ page, served, vm }) => {
  await openGraph(page, served.url);
  let dialog = await openOperation(page, 'top', 'Commit');
  await expect(dialog).toContainText('Chain of top: top → mid → base');
  await dialog.getByLabel('Top (first layer to commit)').selectOption('mid');
  await expect(dialog.getByLabel('Base (receives the data)')).toHaveValue('base');
  await confirmAndWait(dialog, 'Start commit');
  // The plan dismissed its finished job and closed the layer the commit dropped.
  await expect(dialog.getByRole('status')).toContainText(
    "Job commit-mid completed.Closed 'mid', 'mid-file': nothing uses them any more.",
  );
  expect(await jobStatus(vm, 'commit-mid')).toBeUndefined();
  expect(await openNodes(vm)).not.toContain('mid');
  await dialog.getByRole('button', { name: 'Close' }).click();
  await flushDevice(vm, VDA);
  expect(await names(join(vm.dir, 'top.qcow2'))).toEqual(['top.qcow2', 'base.qcow2']);
  const jobs = page.getByRole('complementary', { name: 'Jobs' });

  dialog = await openOperation(page, 'top', 'Commit');
  await expect(dialog).toContainText('Chain of top: top → base');
  await expect(dialog).toContainText('This is an active commit');
  await confirmAndFollow(dialog, 'Start commit', 'commit-top');
  await dialog.getByRole('button', { name: 'Close' }).click();
  await waitForJobStatus(vm, 'commit-top', 'ready');
  const card = jobs.getByRole('article', { name: 'Job commit-top' });
  await card.getByRole('button', { name: 'Complete' }).click();
  await expect.poll(() => deviceNode(vm, VDA), { timeout: 30_000 }).toBe('base');
  // The layers the switch-over dropped are closed.
  await expect
    .poll(() => openNodes(vm), { timeout: 30_000 })
    .toEqual(['base', 'base-file', 'data', 'data-file']);
  await flushDevice(vm, VDA);
  expect(await names(join(vm.dir, 'base.qcow2'))).toEqual(['base.qcow2']);
  expect(await imagesIdentical(join(vm.dir, 'reference.raw'), join(vm.dir, 'base.qcow2'))).toBe(
    true,
  );
});
