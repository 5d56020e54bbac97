// Mirror from the graph in Chromium against a real QEMU: the panel is prefilled from the node,
// shows its steps and QMP, runs them after confirmation; Complete in the jobs panel pivots the
// device. Checked outside the UI with query-block and qemu-img compare.
import { join } from 'node:path';
import { createImage, imagesIdentical, startTestQemu } from '../test/harness/qemu.ts';
import {
  confirmAndFollow,
  deviceNode,
  flushDevice,
  jobStatus,
  openGraph,
  openNodes,
  openOperation,
  VDB,
  waitForJobStatus,
} from '../test/fixtures/operations/e2e-helpers.ts';
import { expect, test } from '../test/fixtures/operations/e2e-fixture.ts';

test('mirror a disk to a new image and complete the switch-over', async ({
  page,
  served,
  vm: qemu,
}) => {
  await openGraph(page, served.url);
  const dialog = await openOperation(page, 'data', 'Mirror');
  await expect(dialog.getByLabel('Image path')).toHaveValue(join(qemu.dir, 'data-mirror.qcow2'));
  await expect(dialog.getByLabel('Job id')).toHaveValue('mirror-data');
  const steps = dialog.getByRole('list', { name: 'Steps' }).getByRole('listitem');
  await expect(steps).toHaveCount(8);
  const start = steps.nth(6);
  await expect(start).toContainText('Start the mirror');
  await start.getByText('QMP: blockdev-mirror').click();
  await expect(start).toContainText('"auto-dismiss": false');
  await expect(steps.last()).toContainText(
    "When job mirror-data ends (pending)Once completed (or cancelled when ready), the nodes nothing uses any more are closed: of 'data', 'data-file', 'data-mirror', 'data-mirror-file'.",
  );
  // QEMU's M is 1024²; a decimal MB is refused, listed among the reasons, and blocks Start.
  const speed = dialog.getByLabel('Speed limit (bytes/s)');
  await speed.fill('200 MB/s');
  await expect(dialog.getByRole('alert')).toContainText(
    "Cannot start yet:Speed limit (bytes/s): QEMU's units are binary: write 200M/s or 200MiB/s",
  );
  await expect(dialog.getByRole('button', { name: 'Start mirror' })).toHaveCount(0);
  await speed.fill('200M/s');
  await expect(dialog.getByText('= 200 MiB/s')).toBeVisible();
  await expect(start).toContainText('"speed": 209715200');

  await confirmAndFollow(dialog, 'Start mirror', 'mirror-data');
  await expect(dialog.getByRole('status')).toContainText(/Job mirror-data is (running|ready)/);
  // The run goes on with the dialog closed: Blockscope finishes the plan at the job's end.
  await dialog.getByRole('button', { name: 'Close' }).click();
  await waitForJobStatus(qemu, 'mirror-data', 'ready');
  const card = page
    .getByRole('complementary', { name: 'Jobs' })
    .getByRole('article', { name: 'Job mirror-data' });
  await card.getByRole('button', { name: 'Complete' }).click();
  await expect.poll(() => deviceNode(qemu, VDB), { timeout: 30_000 }).toBe('data-mirror');
  // The old nodes nothing uses any more are closed, and the job is dismissed.
  await expect
    .poll(async () => (await openNodes(qemu)).filter((n) => n.startsWith('data')), {
      timeout: 30_000,
    })
    .toEqual(['data-mirror', 'data-mirror-file']);
  expect(await jobStatus(qemu, 'mirror-data')).toBeUndefined();
  await expect(
    page.getByRole('region', { name: 'Finished jobs' }).getByLabel('After mirror-data'),
  ).toContainText("Closed 'data', 'data-file'");
  await flushDevice(qemu, VDB);
  expect(
    await imagesIdentical(join(qemu.dir, 'data.raw'), join(qemu.dir, 'data-mirror.qcow2')),
  ).toBe(true);
  // The graph shows the device on the new node without a reload.
  await expect(
    page.locator('[data-testid="block-node"][data-node-name="data-mirror"]'),
  ).toBeVisible();
});

test('refused input shows a clear message and changes nothing', async ({
  page,
  served,
  vm: qemu,
}) => {
  const before = await qemu.direct.execute('query-named-block-nodes', { flat: true });
  await openGraph(page, served.url);
  const dialog = await openOperation(page, 'top', 'Mirror');
  await dialog.getByLabel('Job id').fill('1bad');
  await expect(dialog.getByRole('alert')).toContainText("Invalid job id '1bad'");
  await expect(dialog.getByRole('button', { name: 'Start mirror' })).toHaveCount(0);
  await dialog.getByLabel('Job id').fill('m1');
  await dialog.getByLabel('Target node name').fill('base');
  await expect(dialog.getByRole('alert')).toContainText("A node named 'base' already exists");
  await dialog.getByLabel('Target node name').fill('top-copy');
  await dialog.getByLabel('Image path').fill(join(qemu.dir, 'base.qcow2'));
  await expect(dialog.getByRole('alert')).toContainText('is already open in QEMU');
  expect(await qemu.direct.execute('query-named-block-nodes', { flat: true })).toEqual(before);
});

test('a duplicate job id, a non-root source and a locked target are refused', async ({
  page,
  served,
  vm: qemu,
}) => {
  // A finished creation job nobody dismissed still holds its id.
  await qemu.direct.execute('blockdev-create', {
    'job-id': 'busy',
    options: { driver: 'file', filename: join(qemu.dir, 'scratch.raw'), size: 0 },
  });
  const locked = join(qemu.dir, 'locked.qcow2');
  await createImage({ path: locked, format: 'qcow2', size: '16M' });
  const holder = await startTestQemu({
    kind: 'storage-daemon',
    args: [
      '--blockdev',
      JSON.stringify({
        driver: 'qcow2',
        'node-name': 'held',
        file: { driver: 'file', filename: locked },
      }),
    ],
  });
  try {
    const before = await qemu.direct.execute('query-named-block-nodes', { flat: true });
    await openGraph(page, served.url);

    const dialog = await openOperation(page, 'top', 'Mirror');
    await dialog.getByLabel('Job id').fill('busy');
    await expect(dialog.getByRole('alert')).toContainText(
      "Job id 'busy' is already in use by a create job (concluded)",
    );
    await dialog.getByLabel('Job id').fill('m-locked');
    await dialog.getByLabel('Target kind').selectOption('existing-file');
    await dialog.getByLabel('Image path').fill(locked);
    await dialog.getByRole('button', { name: 'Start mirror' }).click();
    const alert = dialog.getByRole('alert');
    await expect(alert).toContainText('Failed to get "write" lock');
    await expect(alert).toContainText('What to do: Another user holds this image');
    expect(await qemu.direct.execute('query-named-block-nodes', { flat: true })).toEqual(before);
    expect((await qemu.direct.execute<{ id: string }[]>('query-jobs')).map((j) => j.id)).toEqual([
      'busy',
    ]);

    // The graph already refuses a non-root source, saying which node to use.
    await dialog.getByRole('button', { name: 'Close' }).click();
    const details = page.getByRole('complementary', { name: 'Node details' });
    await details.getByRole('button', { name: 'Close details' }).click();
    await page.locator('[data-testid="block-node"][data-node-name="mid"]').click();
    const mirror = details.getByRole('button', { name: 'Mirror', exact: true });
    await expect(mirror).toBeDisabled();
    await expect(mirror).toHaveAttribute('title', /Need a root block node/);
  } finally {
    await holder.stop();
  }
});

test('a mirror whose job fails at once says so in the dialog and is undone', async ({
  page,
  served,
  vm: qemu,
}) => {
  const small = join(qemu.dir, 'small.qcow2');
  await createImage({ path: small, format: 'qcow2', size: '8M' });
  const before = await openNodes(qemu);
  await openGraph(page, served.url);
  const dialog = await openOperation(page, 'top', 'Mirror');
  await dialog.getByLabel('Job id').fill('m-small');
  await dialog.getByLabel('Target kind').selectOption('existing-file');
  await dialog.getByLabel('Image path').fill(small);
  await dialog.getByRole('button', { name: 'Start mirror' }).click();
  const alert = dialog.getByRole('alert');
  await expect(alert).toContainText(
    'Job m-small failed: Source and target image have different sizes',
  );
  await expect(alert).toContainText('Everything this plan set up was undone.');
  await expect(dialog.getByRole('status').filter({ hasText: 'Done.' })).toHaveCount(0);
  expect(await openNodes(qemu)).toEqual(before);
  expect(await jobStatus(qemu, 'm-small')).toBeUndefined();
});
