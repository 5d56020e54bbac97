// Field documentation by default, in Chromium against a real QEMU: the server is started without
// --qapi-docs, so the Run command form for blockdev-mirror shows the member text of the QMP
// reference manual installed with that QEMU; a manual of another version gets a visible note.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Page } from '@playwright/test';
import { manualCandidates } from '../proxy/qmp-manual/manual-locations.ts';
import { startTestQemu } from '../test/harness/qemu.ts';
import { manualMemberText, manualVersion } from '../test/harness/manual-entry.ts';
import { directVersion } from '../test/integration/proxy-helpers.ts';
import { expect, startBlockscope, test } from './fixtures.ts';

// The manual the server finds for this QEMU: beside an unpacked build, else the system's.
const manual = manualCandidates('qemu-system').find((p) => existsSync(p))!;

async function openMirror(page: Page, url: string) {
  await page.goto(url);
  await page.getByRole('tab', { name: 'Run command' }).click();
  const panel = page.getByRole('region', { name: 'Run command' });
  await panel.getByRole('combobox', { name: /^Command/ }).fill('blockdev-mirror');
  const form = panel.getByRole('form', { name: 'blockdev-mirror arguments' });
  await expect(form).toBeVisible();
  return { panel, form };
}

test("shows the installed manual's text beside blockdev-mirror's fields", async ({
  page,
  served,
  qemu,
}) => {
  const { panel, form } = await openMirror(page, served.url);
  await expect(form.getByLabel('buf-size', { exact: true })).toHaveAccessibleDescription(
    new RegExp(escape(manualMemberText(manual, 'blockdev-mirror', 'buf-size'))),
  );
  await expect(form.getByLabel('job-id', { exact: true })).toHaveAccessibleDescription(
    new RegExp(escape(manualMemberText(manual, 'blockdev-mirror', 'job-id'))),
  );
  // The command's summary sits above the form: the manual's first sentence for it.
  await expect(form).toContainText(/Start mirroring a block device/);
  // This QEMU brought this manual: the versions agree and no note is shown.
  expect(manualVersion(manual)).toBe((await directVersion(qemu)).text);
  await expect(panel.getByText(/Field help from QEMU/)).toHaveCount(0);
});

test('says so when the manual was written for another QEMU version', async ({ page }) => {
  // Its own QEMU: the shared one's monitor is held by the shared fixture's server.
  const qemu = await startTestQemu();
  // A copy of the same manual that claims another version, given with --qmp-manual.
  const dir = await mkdtemp(join(tmpdir(), 'blockscope-manual-'));
  const text = gunzipSync(await readFile(manual)).toString('utf8');
  const other = text.replace(/^(\.TH "[^"]*" "[^"]*" "[^"]*" )"[^"]*"/m, '$1"6.2.0"');
  expect(other).not.toBe(text);
  await writeFile(join(dir, 'qemu-qmp-ref.7.gz'), gzipSync(other));
  const served = await startBlockscope([
    'serve',
    '--target',
    `demo=unix:${qemu.qmpSocket}`,
    '--qmp-manual',
    join(dir, 'qemu-qmp-ref.7.gz'),
  ]);
  try {
    const { panel, form } = await openMirror(page, served.url);
    const version = (await directVersion(qemu)).text;
    await expect(panel.getByText(/Field help from QEMU/)).toHaveText(
      `Field help from QEMU 6.2.0's manual; this target runs ${version}, so some of it may not match.`,
    );
    await expect(form.getByLabel('buf-size', { exact: true })).toHaveAccessibleDescription(
      new RegExp(escape(manualMemberText(manual, 'blockdev-mirror', 'buf-size'))),
    );
  } finally {
    await served.stop();
    await qemu.stop();
    await rm(dir, { recursive: true, force: true });
  }
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
