// Backup from the graph in Chromium against a real QEMU: a full backup that starts a dirty
// bitmap in the same transaction, guest writes, then an incremental backup of those writes onto
// an image backed by the full one. Checked with qemu-img compare and query-named-block-nodes.
// And an existing image at the new image's path: refused, untouched (sha256), until overwriting
// that path is confirmed.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createImage, imageChain, imagesIdentical, writePatterns } from '../test/harness/qemu.ts';
import {
  confirmAndWait,
  flushDevice,
  openGraph,
  openOperation,
  jobStatus,
  VDB,
} from '../test/fixtures/operations/e2e-helpers.ts';
import { checkUnlocked } from '../test/fixtures/operations/vm.ts';
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
  await expect(steps.nth(-2)).toContainText('Start recording');
  await expect(steps.last()).toContainText(
    "When job backup-data ends (pending)When the backup completes, 'data-backup' and 'data-backup-file' are closed",
  );
  await confirmAndWait(dialog, 'Start backup');
  // The plan ends cleanly by itself: the job is dismissed and the target closed, so the file
  // is consistent on disk and unlocked.
  await expect(dialog.getByRole('status')).toContainText(
    "Job backup-data completed.Closed 'data-backup', 'data-backup-file': nothing uses them any more.",
  );
  expect(await jobStatus(vm, 'backup-data')).toBeUndefined();
  expect(await checkUnlocked(full)).toMatch(/No errors were found/);
  expect(await imagesIdentical(join(vm.dir, 'data.raw'), full)).toBe(true);
  await dialog.getByRole('button', { name: 'Close' }).click();
  // Closed, the dialog's outcome stays beside the finished job.
  await expect(
    page.getByRole('region', { name: 'Finished jobs' }).getByLabel('After backup-data'),
  ).toContainText("Closed 'data-backup', 'data-backup-file'");

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
  // The full backup's job was dismissed at its end, so its id is free again.
  await expect(dialog.getByLabel('Job id')).toHaveValue('backup-data');
  await dialog.getByLabel('Job id').fill('backup-data-inc');
  await confirmAndWait(dialog, 'Start backup');
  expect(await jobStatus(vm, 'backup-data-inc')).toBeUndefined();

  const nodes = await vm.direct.execute<
    { 'node-name': string; 'dirty-bitmaps'?: { name: string; count: number }[] }[]
  >('query-named-block-nodes', { flat: true });
  expect(nodes.find((n) => n['node-name'] === 'data')?.['dirty-bitmaps']).toMatchObject([
    { name: 'data-changes', count: 0 },
  ]);
  expect(nodes.map((n) => n['node-name']).filter((n) => /backup|inc/.test(n))).toEqual([]);
  await flushDevice(vm, VDB);
  expect(await imagesIdentical(join(vm.dir, 'data.raw'), full)).toBe(false);
  expect(await imagesIdentical(join(vm.dir, 'data.raw'), inc)).toBe(true);
});

test('an existing image at the new image path is not touched until overwriting it is confirmed', async ({
  page,
  served,
  vm,
}) => {
  // A 256 MiB qcow2 with data where the backup of `data` (16 MiB) would create its image.
  const existing = join(vm.dir, 'data-backup.qcow2');
  await createImage({ path: existing, format: 'qcow2', size: 256 * 1024 * 1024 });
  await writePatterns(existing, 'qcow2', [{ offset: 0, length: 2 * 1024 * 1024, pattern: 0x5a }]);
  const before = await sha256(existing);

  await openGraph(page, served.url);
  const dialog = await openOperation(page, 'data', 'Backup');
  await expect(dialog.getByLabel('Image path')).toHaveValue(existing);
  const refusal = dialog.getByRole('alert').filter({ hasText: 'Cannot start yet' });
  await expect(refusal).toContainText(
    new RegExp(
      `${escape(existing)} exists \\(qcow2, 256 MiB image, [\\d.]+ MiB file\\)\\. Confirm overwriting it, or choose another path\\.`,
    ),
  );
  await expect(dialog.getByRole('button', { name: 'Start backup', exact: true })).toHaveCount(0);
  const overwrite = dialog.getByLabel(`Overwrite ${existing}`);
  await expect(overwrite).not.toBeChecked();

  // A confirmation names one path: another path drops it, and coming back asks again.
  await overwrite.check();
  const elsewhere = join(vm.dir, 'elsewhere.qcow2');
  await dialog.getByLabel('Image path').fill(elsewhere);
  await expect(dialog.getByText('No file here yet: the plan creates it.')).toBeVisible();
  await expect(dialog.getByLabel(/^Overwrite /)).toHaveCount(0);
  await dialog.getByLabel('Image path').fill(existing);
  await expect(dialog.getByLabel(`Overwrite ${existing}`)).not.toBeChecked();
  await expect(dialog.getByRole('button', { name: 'Start backup', exact: true })).toHaveCount(0);

  // Nothing reached the file or QEMU.
  expect(await sha256(existing)).toBe(before);
  const nodes = await vm.direct.execute<{ file: string }[]>('query-named-block-nodes', {
    flat: true,
  });
  expect(nodes.some((n) => n.file === existing)).toBe(false);
  expect(await vm.direct.execute('query-jobs')).toEqual([]);

  await dialog.getByLabel(`Overwrite ${existing}`).check();
  await expect(dialog.getByText(`Overwrites ${existing} (qcow2, 256 MiB image`)).toBeVisible();
  await confirmAndWait(dialog, 'Start backup');
  // The plan closed the target at the job's end, so the new image is complete on disk.
  expect(await jobStatus(vm, 'backup-data')).toBeUndefined();
  expect(await sha256(existing)).not.toBe(before);
  const [info] = await imageChain(existing);
  expect(info?.['virtual-size']).toBe(16 * 1024 * 1024);
  expect(await imagesIdentical(join(vm.dir, 'data.raw'), existing)).toBe(true);
});

async function sha256(path: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
