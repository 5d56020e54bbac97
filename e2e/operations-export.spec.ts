// Export from the graph in Chromium against a real QEMU: one confirmation exports the node
// read-only over NBD on 127.0.0.1 and shows the nbd:// URI; nbdinfo and nbdcopy read it from
// outside. The Exports tab lists it with its URI, removes it and stops the server. A second tab
// and a script on the proxy's WebSocket agree with it on the NBD server at every step: the
// state is the proxy's record (X_BLOCKSCOPE_NBD_SERVER), not each tab's own guess.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { imagesIdentical } from '../test/harness/qemu.ts';
import { freePort } from '../test/fixtures/operations/vm.ts';
import { openGraph, openOperation } from '../test/fixtures/operations/e2e-helpers.ts';
import { expect, test } from '../test/fixtures/operations/e2e-fixture.ts';
import { WsQmp, type Message } from '../test/integration/proxy-helpers.ts';

const run = promisify(execFile);

test('export a node over NBD, read it with nbdinfo, remove it from the Exports tab', async ({
  page,
  context,
  served,
  vm,
}) => {
  const port = await freePort();
  const other = await context.newPage();
  await openGraph(other, served.url);
  await other.getByRole('tab', { name: 'Exports' }).click();
  const otherPanel = other.getByRole('region', { name: 'Exports' });
  await expect(otherPanel).toContainText('NBD server: none seen');
  // Nothing to stop: no button offers it.
  await expect(otherPanel.getByRole('button', { name: 'Stop NBD server' })).toHaveCount(0);
  const script = await WsQmp.open(
    { port: Number(new URL(served.origin).port), token: served.token },
    'ops',
  );
  const recordIs = (expected: Message) =>
    script.next(
      (m) =>
        m.event === 'X_BLOCKSCOPE_NBD_SERVER' &&
        JSON.stringify(m.data) === JSON.stringify(expected),
    );
  await recordIs({ state: 'unknown', names: {} });
  await openGraph(page, served.url);
  const dialog = await openOperation(page, 'top', 'Export');
  await expect(dialog).toContainText('The NBD server will be started.');
  await dialog.getByText('Options').click();
  // The guest's vda does not share write on 'top' (no share-rw): QEMU would refuse it writable.
  const writable = dialog.getByRole('checkbox', { name: 'Writable' });
  await expect(writable).toBeDisabled();
  await expect(writable).toHaveAccessibleDescription(/device vda does not let anyone else write/);
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
  const address = { type: 'inet', host: '127.0.0.1', port };
  await recordIs({ state: 'running', names: { top: 'top' }, address });
  await expect(otherPanel).toContainText(`running on 127.0.0.1:${port}`);
  await expect(otherPanel.getByRole('listitem', { name: 'Export top' })).toContainText(shown);

  await page.getByRole('tab', { name: 'Exports' }).click();
  const exportsPanel = page.getByRole('region', { name: 'Exports' });
  await expect(exportsPanel).toContainText(`running on 127.0.0.1:${port}`);
  const row = exportsPanel.getByRole('listitem', { name: 'Export top' });
  await expect(row).toContainText(`nbd://127.0.0.1:${port}/top`);
  await expect(exportsPanel).toContainText('QEMU does not report how many there are');
  await row.getByRole('button', { name: 'Remove export top', exact: true }).click();
  await exportsPanel.getByRole('button', { name: 'Confirm' }).click();
  await expect(exportsPanel).toContainText('No exports.');
  expect(await vm.direct.execute('query-block-exports')).toEqual([]);

  await expect(otherPanel).toContainText('No exports.');

  // The other tab stops the server; this tab and the script hear it.
  await otherPanel.getByRole('button', { name: 'Stop NBD server' }).click();
  await otherPanel.getByRole('button', { name: 'Confirm' }).click();
  await expect(otherPanel).toContainText('NBD server: stopped');
  await expect(exportsPanel).toContainText('NBD server: stopped');
  await recordIs({ state: 'stopped', names: {} });
  await expect(run('/usr/bin/nbdinfo', ['--json', shown])).rejects.toThrow();

  // The script starts one: both tabs show it, with its address.
  const again = await freePort();
  const started = await script.send({
    execute: 'nbd-server-start',
    arguments: { addr: { type: 'inet', data: { host: '127.0.0.1', port: String(again) } } },
    id: 'start',
  });
  expect(started).toEqual({ return: {}, id: 'start' });
  for (const panel of [exportsPanel, otherPanel]) {
    await expect(panel).toContainText(`running on 127.0.0.1:${again}`);
  }
  script.close();
});
