// The Run command panel in Chromium against a real QEMU: a generated blockdev-add form creates a
// node, validation stops a bad value before it is sent, and QEMU's own refusal is shown.
import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { createImage, type TestQemu } from '../test/harness/qemu.ts';
import { expect, startBlockscope, test as base, type Served } from './fixtures.ts';

// Its own server, allowed to open images in the test QEMU's directory (the shared fixture's server
// has no --allow-path, so the proxy would refuse the new image's file name).
const test = base.extend<object, { allowed: Served }>({
  allowed: [
    async ({ qemu }, use) => {
      const served = await startBlockscope([
        'serve',
        '--target',
        `demo=unix:${qemu.qmpSocket}`,
        '--allow-path',
        qemu.dir,
      ]);
      await use(served);
      await served.stop();
    },
    { scope: 'worker' },
  ],
});

async function openCommand(page: Page, url: string, command: string): Promise<Locator> {
  await page.goto(url);
  await page.getByRole('tab', { name: 'Run command' }).click();
  const panel = page.getByRole('region', { name: 'Run command' });
  await panel.getByRole('combobox', { name: /^Command/ }).fill(command);
  const form = panel.getByRole('form', { name: `${command} arguments` });
  await expect(form).toBeVisible();
  return form;
}

async function nodeNames(qemu: TestQemu) {
  const nodes = await qemu.direct.execute<{ 'node-name': string }[]>('query-named-block-nodes', {
    flat: true,
  });
  return nodes.map((n) => n['node-name']);
}

test('a generated blockdev-add form creates a qcow2 node', async ({ page, allowed, qemu }) => {
  const path = join(qemu.dir, 'e2e-new.qcow2');
  await createImage({ path, format: 'qcow2', size: '16M' });
  const form = await openCommand(page, allowed.url, 'blockdev-add');

  await form.getByLabel('driver', { exact: true }).selectOption('qcow2');
  await form.getByLabel('node-name', { exact: true }).fill('e2e-new');
  await form
    .getByRole('radiogroup', { name: 'file kind', exact: true })
    .getByLabel('inline definition')
    .check();
  const file = form.getByRole('group', { name: /^file / });
  await file.getByLabel('driver', { exact: true }).selectOption('file');
  await file.getByLabel('filename', { exact: true }).fill(path);
  await form
    .getByRole('radiogroup', { name: 'backing kind', exact: true })
    .getByLabel('existing node')
    .check();
  await form.getByLabel('backing', { exact: true }).fill('data');

  const preview = form.getByLabel('QMP command JSON');
  await expect(preview).toContainText('"execute": "blockdev-add"');
  await expect(preview).toContainText(`"filename": "${path}"`);
  await expect(preview).toContainText('"backing": "data"');
  await expect(preview).not.toContainText('"read-only"'); // unset members are not sent
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await form.getByRole('button', { name: 'Copy' }).click();
  await expect(form.getByRole('button', { name: 'Copied' })).toBeVisible();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(JSON.parse(copied)).toMatchObject({
    execute: 'blockdev-add',
    arguments: { driver: 'qcow2', 'node-name': 'e2e-new', backing: 'data' },
  });

  await form.getByRole('button', { name: 'Run blockdev-add' }).click();
  await expect(page.getByRole('region', { name: 'Command result' })).toBeVisible();
  expect(await nodeNames(qemu)).toContain('e2e-new');
});

test('a wrong value is caught before sending, then the fixed form is accepted', async ({
  page,
  allowed,
  qemu,
}) => {
  const form = await openCommand(page, allowed.url, 'block-dirty-bitmap-add');
  await form.getByLabel('node', { exact: true }).fill('data');
  await form.getByLabel('name', { exact: true }).fill('e2e-bitmap');
  await form.getByLabel('granularity', { exact: true }).fill('1000');
  await form.getByRole('button', { name: 'Run block-dirty-bitmap-add' }).click();
  await expect(form.getByRole('alert').first()).toContainText(
    'granularity must be a power of 2 between 512 and 64M',
  );
  await expect(form.getByLabel('granularity', { exact: true })).toHaveAttribute(
    'aria-invalid',
    'true',
  );
  const bitmaps = async () => {
    const nodes = await qemu.direct.execute<
      { 'node-name': string; 'dirty-bitmaps'?: { name: string }[] }[]
    >('query-named-block-nodes', { flat: true });
    return nodes.flatMap((n) => (n['dirty-bitmaps'] ?? []).map((b) => b.name));
  };
  expect(await bitmaps()).not.toContain('e2e-bitmap');

  await form.getByLabel('granularity', { exact: true }).fill('64k');
  await expect(form.getByLabel('QMP command JSON')).toContainText('"granularity": 65536');
  await form.getByRole('button', { name: 'Run block-dirty-bitmap-add' }).click();
  await expect(page.getByRole('region', { name: 'Command result' })).toBeVisible();
  expect(await bitmaps()).toContain('e2e-bitmap');
});

test("QEMU's refusal is shown with its class and message", async ({ page, allowed }) => {
  const form = await openCommand(page, allowed.url, 'blockdev-add');
  await form.getByLabel('driver', { exact: true }).selectOption('raw');
  await form.getByLabel('node-name', { exact: true }).fill('data'); // already taken
  await form
    .getByRole('radiogroup', { name: 'file kind', exact: true })
    .getByLabel('existing node')
    .check();
  await form.getByLabel('file', { exact: true }).fill('data-file');
  await form.getByRole('button', { name: 'Run blockdev-add' }).click();
  const alert = page.getByRole('region', { name: 'Run command' }).getByRole('alert');
  await expect(alert).toContainText('QEMU refused blockdev-add');
  await expect(alert).toContainText('GenericError');
  await expect(alert).toContainText("Duplicate nodes with node-name='data'");
  await page.screenshot({ path: test.info().outputPath('run-command.png') });
});

test('offers only what the proxy lets this session send: no quit, no HMP, no network drivers', async ({
  page,
  allowed,
}) => {
  const form = await openCommand(page, allowed.url, 'blockdev-add');
  const drivers = await form
    .getByLabel('driver', { exact: true })
    .locator('option')
    .allTextContents();
  expect(drivers).toContain('qcow2');
  expect(drivers).toContain('file');
  for (const refused of ['http', 'https', 'ssh', 'rbd', 'iscsi', 'nfs']) {
    expect(drivers).not.toContain(refused);
  }
  const panel = page.getByRole('region', { name: 'Run command' });
  const offered = await panel
    .locator('#run-command-names option')
    .evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value));
  expect(offered).toContain('blockdev-add');
  expect(offered).toContain('query-block');
  for (const refused of ['quit', 'human-monitor-command', 'device_add', 'migrate', 'stop'])
    expect(offered).not.toContain(refused);
  // Typed anyway: the panel says Blockscope refuses it, and offers no form to send.
  await panel.getByRole('combobox', { name: /^Command/ }).fill('quit');
  await expect(panel).toContainText('Blockscope refuses it');
  await expect(panel.getByRole('form')).toHaveCount(0);
});
