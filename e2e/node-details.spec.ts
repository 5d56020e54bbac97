// The node details panel in Chromium against a real QEMU (base ← mid ← top on vda, `data` on
// vdb): "Remove node" with its confirmation, its reason when the node is in use, and figures that
// follow guest writes while the panel stays open. Effects are checked over a direct QMP monitor.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createImage, type TestQemu } from '../test/harness/qemu.ts';
import { openGraph, showDetails, VDB } from '../test/fixtures/operations/e2e-helpers.ts';
import { expect, test } from '../test/fixtures/operations/e2e-fixture.ts';
import { guestWrite } from '../test/fixtures/operations/vm.ts';

const MiB = 1024 * 1024;

async function nodeNames(vm: TestQemu): Promise<string[]> {
  const nodes = await vm.direct.execute<{ 'node-name': string }[]>('query-named-block-nodes', {
    flat: true,
  });
  return nodes.map((n) => n['node-name']).sort();
}

test('Remove node closes an unused node and its file node after a confirmation', async ({
  page,
  served,
  vm,
}) => {
  const before = await nodeNames(vm);
  const path = join(vm.dir, 'spare.qcow2');
  await createImage({ path, format: 'qcow2', size: 16 * MiB });
  await vm.direct.execute('blockdev-add', {
    driver: 'file',
    'node-name': 'spare-file',
    filename: path,
  });
  await vm.direct.execute('blockdev-add', {
    driver: 'qcow2',
    'node-name': 'spare',
    file: 'spare-file',
    backing: null,
  });
  // blockdev-add on the direct monitor emits no event: this page load reads the new nodes.
  await openGraph(page, served.url);
  const details = await showDetails(page, 'spare');
  const remove = details.getByRole('button', { name: 'Remove node' });
  await expect(remove).toBeEnabled();

  // Escape is "no": nothing is sent.
  await remove.click();
  const dialog = page.getByRole('alertdialog', { name: "Remove node 'spare'?" });
  await expect(dialog).toContainText("Close node 'spare' and 'spare-file'?");
  await expect(dialog).toContainText(`the image file stays on disk: ${path}`);
  await expect(dialog.getByRole('button', { name: 'Keep it' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  expect(await nodeNames(vm)).toContain('spare');

  // "Keep it" is "no" as well.
  await remove.click();
  await dialog.getByRole('button', { name: 'Keep it' }).click();
  await expect(dialog).toHaveCount(0);
  expect(await nodeNames(vm)).toContain('spare');

  await remove.click();
  await dialog.getByRole('button', { name: 'Remove node' }).click();
  await expect(dialog.getByRole('status')).toHaveText("Done. Closed 'spare' and 'spare-file'.");
  expect(await nodeNames(vm)).toEqual(before);
  expect(existsSync(path)).toBe(true);
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(page.locator('[data-testid="block-node"][data-node-name="spare"]')).toHaveCount(0);
});

test('a node in use says what uses it and cannot be removed', async ({ page, served, vm }) => {
  await openGraph(page, served.url);
  let details = await showDetails(page, 'top');
  await expect(details.getByRole('button', { name: 'Remove node' })).toBeDisabled();
  await expect(details.getByText('Used by device vda', { exact: true })).toBeVisible();
  await details.getByRole('button', { name: 'Close details' }).click();
  details = await showDetails(page, 'mid');
  await expect(details.getByRole('button', { name: 'Remove node' })).toBeDisabled();
  await expect(details.getByText('Used by node top', { exact: true })).toBeVisible();
  expect(await nodeNames(vm)).toContain('mid');
});

test('dirty counts follow guest writes while the details stay open', async ({
  page,
  served,
  vm,
}) => {
  await vm.direct.execute('block-dirty-bitmap-add', {
    node: 'data',
    name: 'bm0',
    granularity: 65536,
  });
  await openGraph(page, served.url);
  const details = await showDetails(page, 'data');
  await expect(details).toContainText('bm0 0 B dirty');

  await guestWrite(vm, VDB, 0x5a, '0', '1M');
  const nodes = await vm.direct.execute<
    { 'node-name': string; 'dirty-bitmaps'?: { name: string; count: number }[] }[]
  >('query-named-block-nodes', { flat: true });
  const count = nodes.find((n) => n['node-name'] === 'data')?.['dirty-bitmaps']?.[0]?.count;
  expect(count).toBe(MiB);
  // The same panel, not reopened, catches up with QEMU's count.
  await expect(details).toContainText('bm0 1 MiB dirty');

  await guestWrite(vm, VDB, 0x5b, '4M', '3M');
  await expect(details).toContainText('bm0 4 MiB dirty');
});
