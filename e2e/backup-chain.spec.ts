// A backup chain the page can be trusted with, in Chromium against a real QEMU: a full backup
// started from a page that then closes is cancelled by someone else (a script on the same
// proxy's target); the page, told by the proxy, marks the bitmap untrusted, refuses an
// incremental from it, and removes it on request (checked with query-named-block-nodes).
import { expect, test } from '../test/fixtures/operations/e2e-fixture.ts';
import {
  confirmAndFollow,
  confirmAndWait,
  jobStatus,
  openGraph,
  openOperation,
} from '../test/fixtures/operations/e2e-helpers.ts';

async function bitmapsOfData(vm: { direct: { execute<T>(c: string, a?: object): Promise<T> } }) {
  const nodes = await vm.direct.execute<
    { 'node-name': string; 'dirty-bitmaps'?: { name: string }[] }[]
  >('query-named-block-nodes', { flat: true });
  return (nodes.find((n) => n['node-name'] === 'data')?.['dirty-bitmaps'] ?? []).map((b) => b.name);
}

test('a cancelled full backup leaves an untrusted bitmap, refused as a base and removable', async ({
  page,
  served,
  vm,
}) => {
  const first = page;
  await openGraph(first, served.url);
  let dialog = await openOperation(first, 'data', 'Backup');
  await dialog.getByLabel(/^Speed limit/).fill('64K');
  await confirmAndFollow(dialog, 'Start backup', 'backup-data');
  await expect.poll(() => jobStatus(vm, 'backup-data')).toBe('running');
  // The tab that started it closes while the job runs, so no page follows the job to undo it;
  // then another client on QEMU's second monitor cancels it.
  const view = await first.context().newPage();
  await first.close();
  await vm.direct.execute('job-cancel', { id: 'backup-data' });
  await expect.poll(() => jobStatus(vm, 'backup-data')).toBe('concluded');
  expect(await bitmapsOfData(vm)).toEqual(['data-changes']);

  await openGraph(view, served.url);
  dialog = await openOperation(view, 'data', 'Backup');
  const bitmaps = dialog.getByRole('region', { name: 'Bitmaps of data' });
  await expect(bitmaps).toContainText(
    "Untrusted: its full backup 'backup-data' was cancelled: an incremental from it would be incomplete.",
  );
  await expect(bitmaps).toContainText("counts from full backup 'backup-data' (cancelled)");

  await dialog.getByLabel('Sync').selectOption('incremental');
  const bitmap = dialog.getByLabel('Bitmap', { exact: true });
  // Not chosen for the operator; listed, marked, and refused when chosen.
  await expect(bitmap).toHaveValue('');
  await bitmap.selectOption('data-changes');
  await expect(bitmap.locator('option:checked')).toHaveText(
    'data-changes — untrusted, full backup incomplete',
  );
  await expect(dialog.getByRole('alert').filter({ hasText: 'Cannot start yet' })).toContainText(
    "Bitmap 'data-changes' cannot be the base of an incremental backup: its full backup 'backup-data' was cancelled",
  );
  await expect(dialog.getByRole('button', { name: 'Start backup' })).toHaveCount(0);

  await bitmaps.getByRole('button', { name: 'remove bitmap data-changes' }).click();
  await confirmAndWait(bitmaps, 'Confirm');
  await expect.poll(() => bitmapsOfData(vm)).toEqual([]);
  await expect(bitmaps).toContainText('None.');
});
