// External snapshot from the graph in Chromium against a real QEMU: the graph then shows the
// longer chain, and qemu-img sees it on disk.
import { join } from 'node:path';
import { imageChain } from '../test/harness/qemu.ts';
import {
  confirmAndWait,
  deviceNode,
  openGraph,
  openOperation,
  VDA,
} from '../test/fixtures/operations/e2e-helpers.ts';
import { expect, test } from '../test/fixtures/operations/e2e-fixture.ts';

test('an external snapshot makes the chain one layer longer', async ({ page, served, vm }) => {
  await openGraph(page, served.url);
  const dialog = await openOperation(page, 'top', 'Snapshot');
  const path = join(vm.dir, 'top-snap.qcow2');
  await expect(dialog.getByLabel('Overlay path')).toHaveValue(path);
  await confirmAndWait(dialog, 'Take snapshot');
  await expect(page.locator('[data-testid="block-node"][data-node-name="top-snap"]')).toBeVisible();
  expect(await deviceNode(vm, VDA)).toBe('top-snap');
  expect((await imageChain(path)).map((i) => i.filename.split('/').at(-1))).toEqual([
    'top-snap.qcow2',
    'top.qcow2',
    'mid.qcow2',
    'base.qcow2',
  ]);
});
