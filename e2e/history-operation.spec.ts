// A mirror run from the graph, as the proxy's history tells it after a reload: the finished job
// says it switched to its target, and the image creations the operation made are folded under it.
import {
  confirmAndFollow,
  deviceNode,
  openGraph,
  openOperation,
  VDB,
  waitForJobStatus,
} from '../test/fixtures/operations/e2e-helpers.ts';
import { expect, test } from '../test/fixtures/operations/e2e-fixture.ts';

test('a mirror operation ends "switched to the target" with its image creations under it, also after a reload', async ({
  page,
  served,
  vm: qemu,
}) => {
  await openGraph(page, served.url);
  const dialog = await openOperation(page, 'data', 'Mirror');
  await confirmAndFollow(dialog, 'Start mirror', 'mirror-data');
  await dialog.getByRole('button', { name: 'Close' }).click();
  await waitForJobStatus(qemu, 'mirror-data', 'ready');
  const jobs = page.getByRole('complementary', { name: 'Jobs' });
  await jobs
    .getByRole('article', { name: 'Job mirror-data' })
    .getByRole('button', { name: 'Complete' })
    .click();
  await expect.poll(() => deviceNode(qemu, VDB), { timeout: 30_000 }).toBe('data-mirror');

  for (const when of ['live', 'after a reload']) {
    if (when !== 'live') await page.reload();
    const finished = page.getByRole('region', { name: 'Finished jobs' });
    const card = finished.getByRole('article', { name: 'Job mirror-data' });
    await expect(card.getByRole('status', { name: 'Status of mirror-data' })).toHaveText(
      'Completed, switched to the target',
    );
    await expect(card).toContainText('job-complete by operator');
    // The operation's two creations (the file, then its qcow2 format) are folded under it, and
    // no loose "image creations" line is left.
    const steps = card.getByText(/^2 image creations before it \(/);
    await expect(steps).toBeVisible();
    await expect(finished.getByText(/image creations? completed/)).toHaveCount(0);
    await steps.click();
    await expect(card.getByRole('article')).toHaveCount(2);
    for (const step of await card.getByRole('article').all()) {
      await expect(step.getByRole('status')).toHaveText('Completed');
    }
  }
});
