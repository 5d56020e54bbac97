// Export from the graph in Chromium against a real QEMU: one confirmation exports the node
// read-only over NBD on 127.0.0.1 and shows the nbd:// URI; nbdinfo and nbdcopy read it from
// outside. The Exports tab lists it with its URI, removes it and stops the server.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { imagesIdentical } from '../test/harness/qemu.ts';
import { freePort } from '../test/fixtures/operations/vm.ts';
import { openGraph, openOperation } from '../test/fixtures/operations/e2e-helpers.ts';
import { expect, test } from '../test/fixtures/operations/e2e-fixture.ts';

const run = promisify(execFile);

test('export a node over NBD, read it with nbdinfo, remove it from the Exports tab', async ({
  page,
  served,
  vm,
}) => {
  const port = await freePort();
  await openGraph(page, served.url);
  const dialog = await openOperation(page, 'top', 'Export');
  await expect(dialog).toContainText('The NBD server will be started.');
  await dialog.getByText('Options').click();
  await expect(dialog.getByLabel('Host', { exact: true })).toHaveValue('127.0.0.1');
  await dialog.getByLabel('Port', { exact: true }).fill(String(port));
  await dialog.getByRole('button', { name: 'Export', exact: true }).click();
  const uri = dialog.getByLabel('Export URI');
  await expect(uri).toHaveText(`nbd://127.0.0.1:${port}/top`);
  await expect(dialog.getByRole('button', { name: 'Copy URI' })).toBeVisible();

  const shown = (await uri.textContent()) ?? '';
  const { stdout } = await run('/usr/bin/nbdinfo', ['--json', shown]);
  const info = JSON.parse(stdout) as {
    exports: { 'export-name': string; 'export-size': number; is_read_only: boolean }[];
  };
  expect(info.exports[0]).toMatchObject({
    'export-name': 'top',
    'export-size': 16 * 1024 * 1024,
    is_read_only: true,
  });
  const copy = join(vm.dir, 'via-nbd.raw');
  await run('/usr/bin/nbdcopy', [shown, copy]);
  expect(await imagesIdentical(join(vm.dir, 'reference.raw'), copy)).toBe(true);
  await dialog.getByRole('button', { name: 'Close' }).click();

  await page.getByRole('tab', { name: 'Exports' }).click();
  const exportsPanel = page.getByRole('region', { name: 'Exports' });
  await expect(exportsPanel).toContainText(`running on 127.0.0.1:${port}`);
  const row = exportsPanel.getByRole('listitem', { name: 'Export top' });
  await expect(row).toContainText(`nbd://127.0.0.1:${port}/top`);
  await row.getByRole('button', { name: 'Remove export top', exact: true }).click();
  await exportsPanel.getByRole('button', { name: 'Confirm' }).click();
  await expect(exportsPanel).toContainText('No exports.');
  expect(await vm.direct.execute('query-block-exports')).toEqual([]);

  await exportsPanel.getByRole('button', { name: 'Stop NBD server' }).click();
  await exportsPanel.getByRole('button', { name: 'Confirm' }).click();
  await expect(exportsPanel).toContainText('NBD server: stopped');
  await expect(run('/usr/bin/nbdinfo', ['--json', shown])).rejects.toThrow();
});
