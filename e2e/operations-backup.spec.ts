// Backup from the graph in Chromium against a real QEMU: a full backup that starts a dirty
// bitmap in the same transaction, guest writes, then an incremental backup of those writes onto
// an image backed by the full one. Checked with qemu-img compare and query-named-block-nodes.
import { join } from 'node:path';
import { imagesIdentical } from '../test/harness/qemu.ts';
import {
  confirmAndWait,
  flushDevice,
  openGraph,
  openOperation,
  VDB,
  waitForJobStatus,
} from '../test/fixtures/operations/e2e-helpers.ts';
import { expect, test } from '../test/fixtures/operations/e2e-fixture.ts';

test('full backup with a new bitmap, then an incremental backup', async ({ page, served, vm }) => {
  await openGraph(page, served.url);
  let dialog = await openOperation(page, 'data', 'Backup');
  await expect(
    dialog.getByLabel('Start recording changes for the next incremental backup (same transaction)'),
  ).toBeChecked();
  const full = join(vm.dir, 'data-backup.qcow2');
  await expect(dialog.getByLabel('Image path')).toHaveValue(full);
  const steps = dialog.getByRole('list', { name: 'Steps' }).getByRole('listitem');
  await expect(steps.last()).toContainText('Start recording');
  await confirmAndWait(dialog, 'Start backup');
  await waitForJobStatus(vm, 'backup-data', 'concluded');
  await dialog.getByRole('button', { name: 'Close' }).click();

  // Guest writes after the full backup, through the disk's own backend.
  await vm.direct.execute('human-monitor-command', {
    'command-line': `qemu-io -d ${VDB} "write -P 0x66 5M 128k"`,
  });

  dialog = await openOperation(page, 'data', 'Backup');
  await dialog.getByLabel('Sync').selectOption('incremental');
  await expect(dialog.getByLabel('Bitmap', { exact: true })).toHaveValue('data-changes');
  const inc = join(vm.dir, 'data-inc.qcow2');
  await dialog.getByLabel('Image path').fill(inc);
  await dialog.getByLabel('Target node name').fill('data-inc');
  // The proxy recorded where the bitmap counts from: the full backup's image is the backing file.
  await expect(dialog.getByLabel('Backing file of the new image (optional)')).toHaveValue(full);
  await expect(dialog.getByLabel('Job id')).toHaveValue('backup-data-2');
  await confirmAndWait(dialog, 'Start backup');
  await waitForJobStatus(vm, 'backup-data-2', 'concluded');

  const nodes = await vm.direct.execute<
    { 'node-name': string; 'dirty-bitmaps'?: { name: string; count: number }[] }[]
  >('query-named-block-nodes', { flat: true });
  expect(nodes.find((n) => n['node-name'] === 'data')?.['dirty-bitmaps']).toMatchObject([
    { name: 'data-changes', count: 0 },
  ]);
  for (const node of ['data-inc', 'data-inc-file', 'data-backup', 'data-backup-file']) {
    await vm.direct.execute('blockdev-del', { 'node-name': node });
  }
  await flushDevice(vm, VDB);
  expect(await imagesIdentical(join(vm.dir, 'data.raw'), full)).toBe(false);
  expect(await imagesIdentical(join(vm.dir, 'data.raw'), inc)).toBe(true);
});
