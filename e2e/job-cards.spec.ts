// What a job card names as source and target, in Chromium against a real QEMU (base ← mid ← top
// on vda): an intermediate commit started on the test's own monitor, as another tool would, and a
// creation job sent by a script through the proxy, which is what tells the pages what it creates.
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { openGraph } from '../test/fixtures/operations/e2e-helpers.ts';
import { expect, test } from '../test/fixtures/operations/e2e-fixture.ts';
import type { Served } from '../test/harness/blockscope.ts';

/** Sends one command as a script would (bearer token, no Origin) and returns QEMU's reply. */
async function throughProxy(served: Served, command: string, args: object): Promise<unknown> {
  const url = new URL(served.url);
  const ws = new WebSocket(`ws://${url.host}/api/qmp/ops`, {
    headers: { Authorization: `Bearer ${served.token}` },
  });
  const messages: Record<string, unknown>[] = [];
  const next = (match: (m: Record<string, unknown>) => boolean) =>
    new Promise<Record<string, unknown>>((resolve) => {
      const seen = messages.find(match);
      if (seen) return resolve(seen);
      ws.on('message', (data) => {
        const message = JSON.parse(String(data)) as Record<string, unknown>;
        if (match(message)) resolve(message);
      });
    });
  ws.on('message', (data) => messages.push(JSON.parse(String(data)) as Record<string, unknown>));
  await next((m) => 'QMP' in m);
  ws.send(JSON.stringify({ execute: 'qmp_capabilities', id: 0 }));
  await next((m) => m.id === 0);
  ws.send(JSON.stringify({ execute: command, arguments: args, id: 1 }));
  const reply = await next((m) => m.id === 1);
  ws.close();
  return reply;
}

test('an intermediate commit names its top and its base', async ({ page, served, vm }) => {
  await openGraph(page, served.url);
  await vm.direct.execute('block-commit', {
    'job-id': 'c-mid',
    device: 'top',
    'top-node': 'mid',
    'base-node': 'base',
    speed: 64 * 1024,
  });
  const card = page
    .getByRole('complementary', { name: 'Jobs' })
    .getByRole('article', { name: 'Job c-mid' });
  const ends = card.getByLabel('Source and target');
  await expect(ends).toHaveText('mid→tobase');
  await expect(ends.getByRole('button', { name: 'mid', exact: true })).toBeVisible();
  await expect(ends.getByRole('button', { name: 'base', exact: true })).toBeVisible();
  // A node's name on the card selects it in the graph (through the query cache, focus-node.ts).
  await ends.getByRole('button', { name: 'base', exact: true }).click();
  const details = page.getByRole('complementary', { name: 'Node details' });
  await expect(details.getByRole('heading', { name: 'base', exact: true })).toBeVisible();
  await vm.direct.execute('job-cancel', { id: 'c-mid' });
});

test('a creation job says what it creates', async ({ page, served, vm }) => {
  await openGraph(page, served.url);
  const filename = join(vm.dir, 'created.qcow2');
  expect(
    await throughProxy(served, 'blockdev-create', {
      'job-id': 'c-new',
      options: { driver: 'file', filename, size: 0 },
    }),
  ).toMatchObject({ return: {} });
  const card = page
    .getByRole('complementary', { name: 'Jobs' })
    .getByRole('article', { name: 'Job c-new' });
  await expect(card.getByLabel('Creates')).toHaveText(`createsfile${filename}`);
  await expect(card.getByLabel('Source and target')).toHaveCount(0);
});
