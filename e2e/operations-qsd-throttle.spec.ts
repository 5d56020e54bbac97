// qemu-storage-daemon has no guest devices: the graph still offers Throttle on its block nodes,
// where the only kind is a throttle group with a filter node above the throttled node.
import { join } from 'node:path';
import { test as base, expect } from '@playwright/test';
import { startBlockscope, type Served } from '../test/harness/blockscope.ts';
import { createImage, startTestQemu, type TestQemu } from '../test/harness/qemu.ts';
import {
  confirmAndWait,
  openGraph,
  openOperation,
} from '../test/fixtures/operations/e2e-helpers.ts';

const test = base.extend<{ qsd: TestQemu; served: Served }>({
  // eslint-disable-next-line no-empty-pattern -- Playwright requires the destructuring form
  qsd: async ({}, provide) => {
    const qsd = await startTestQemu({
      kind: 'storage-daemon',
      prepare: (dir) =>
        createImage({ path: join(dir, 'disk.qcow2'), format: 'qcow2', size: '16M' }),
      args: (dir) => [
        '--blockdev',
        `driver=file,node-name=disk-file,filename=${join(dir, 'disk.qcow2')}`,
        '--blockdev',
        'driver=qcow2,node-name=disk,file=disk-file',
      ],
    });
    await provide(qsd);
    await qsd.stop();
  },
  served: async ({ qsd }, provide) => {
    const served = await startBlockscope(['serve', '--target', `qsd=unix:${qsd.qmpSocket}`]);
    await provide(served);
    await served.stop();
  },
});

test('a block node of qemu-storage-daemon joins a new throttle group', async ({
  page,
  served,
  qsd,
}) => {
  await openGraph(page, served.url);
  const dialog = await openOperation(page, 'disk', 'Throttle');
  const groups = dialog.getByRole('region', { name: 'Throttle groups' });
  await groups.getByText('New throttle group').click();
  await groups.getByLabel('Group id').fill('tg1');
  await groups.getByLabel('Operations, total (IOPS)', { exact: true }).fill('100');
  await confirmAndWait(groups, 'Create group');
  await groups.getByRole('button', { name: 'Attach disk to tg1' }).click();
  await confirmAndWait(groups, 'Confirm');

  const nodes = await qsd.direct.execute<{ 'node-name': string; drv: string }[]>(
    'query-named-block-nodes',
    { flat: true },
  );
  const filter = nodes.find((n) => n.drv === 'throttle');
  expect(filter).toBeDefined();
  const graph = await qsd.direct.execute<{
    nodes: { id: number; name: string }[];
    edges: { parent: number; child: number; name: string }[];
  }>('x-debug-query-block-graph');
  const id = (name: string) => graph.nodes.find((n) => n.name === name)?.id;
  expect(graph.edges).toContainEqual(
    expect.objectContaining({ parent: id(filter!['node-name']), child: id('disk'), name: 'file' }),
  );
  const limits = await qsd.direct.execute<Record<string, number>>('qom-get', {
    path: '/objects/tg1',
    property: 'limits',
  });
  expect(limits['iops-total']).toBe(100);
  await expect(
    page.locator(`[data-testid="block-node"][data-node-name="${filter!['node-name']}"]`),
  ).toContainText('throttled tg1 · 100 IOPS');
});
