// The accessibility scan: axe-core (through @axe-core/playwright) on the page's main views in
// Chromium against a real QEMU served by the real server, in light and dark mode. A view passes
// when axe finds nothing it rates serious or critical under WCAG 2.x A/AA and its best practices.
// Nothing of the page is left out of the scan.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { startBlockscope } from '../test/harness/blockscope.ts';
import {
  confirmAndFollow,
  openGraph,
  openOperation,
  waitForJobStatus,
} from '../test/fixtures/operations/e2e-helpers.ts';
import { expect, test } from '../test/fixtures/operations/e2e-fixture.ts';

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];

/**
 * Scans the page as it is and returns one readable line per serious or critical violation:
 * the view, the rule, its impact, axe's help text and every element it names.
 */
async function scan(page: Page, view: string): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${view}: ${v.id} (${v.impact}) ${v.help}\n` +
        v.nodes
          .map(
            (n) =>
              `    ${n.target.join(' ')}${n.failureSummary ? ` — ${n.failureSummary.replace(/\s+/g, ' ')}` : ''}`,
          )
          .join('\n'),
    );
}

async function useDarkMode(page: Page): Promise<void> {
  // The page follows the system's scheme until the operator picks one (src/app/theme.ts).
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.reload();
  await expect(page.locator('html')).toHaveClass(/\bdark\b/);
}

for (const scheme of ['light', 'dark'] as const) {
  test(`the operator's views have no serious or critical violations (${scheme})`, async ({
    page,
    served,
    vm,
  }) => {
    const found: string[] = [];
    // An NBD server and an export for the Exports tab to show (read when the page opens).
    await vm.direct.execute('nbd-server-start', {
      addr: { type: 'inet', data: { host: '127.0.0.1', port: '0' } },
    });
    await vm.direct.execute('block-export-add', { type: 'nbd', id: 'seen', 'node-name': 'top' });
    // The page follows the system's scheme until the operator picks one (src/app/theme.ts).
    await page.emulateMedia({ colorScheme: scheme });
    await openGraph(page, served.url);
    await expect(page.locator('html')).toHaveClass(
      scheme === 'dark' ? /\bdark\b/ : /^(?!.*\bdark\b)/,
    );
    found.push(...(await scan(page, 'graph')));

    // A mirror's dialog, then its job waiting (ready) in the Jobs panel.
    const dialog = await openOperation(page, 'data', 'Mirror');
    found.push(...(await scan(page, 'mirror dialog')));
    await confirmAndFollow(dialog, 'Start mirror', 'mirror-data');
    await waitForJobStatus(vm, 'mirror-data', 'ready');
    await expect(dialog.getByRole('status')).toContainText('Job mirror-data is ready');
    found.push(...(await scan(page, 'mirror dialog, job ready')));
    await dialog.getByRole('button', { name: 'Close' }).click();

    // The node's details stay open beside the graph and the Jobs panel.
    const details = page.getByRole('complementary', { name: 'Node details' });
    await expect(details.getByRole('heading', { name: 'data', exact: true })).toBeVisible();
    const card = page
      .getByRole('complementary', { name: 'Jobs' })
      .getByRole('article', { name: 'Job mirror-data' });
    await expect(card.getByRole('button', { name: 'Complete' })).toBeEnabled();
    found.push(...(await scan(page, 'graph with details, job ready')));

    await page.getByRole('tab', { name: 'Event log' }).click();
    await expect(page.getByRole('region', { name: 'Event log' })).toContainText(
      'JOB_STATUS_CHANGE',
    );
    found.push(...(await scan(page, 'event log')));

    await page.getByRole('tab', { name: 'Exports' }).click();
    const exports = page.getByRole('region', { name: 'Exports' });
    await expect(
      exports.getByRole('button', { name: 'Remove export seen', exact: true }),
    ).toBeVisible();
    found.push(...(await scan(page, 'exports')));

    await page.getByRole('tab', { name: 'Run command' }).click();
    await expect(
      page.getByRole('region', { name: 'Run command' }).getByRole('combobox').first(),
    ).toBeVisible();
    found.push(...(await scan(page, 'run command')));

    await page.getByRole('link', { name: 'Fleet' }).click();
    await expect(page.getByRole('table', { name: 'Targets' })).toContainText('ops');
    found.push(...(await scan(page, 'fleet')));

    await page.getByRole('link', { name: 'All jobs' }).click();
    await expect(page.getByRole('main')).toContainText('mirror-data');
    found.push(...(await scan(page, 'all jobs')));

    expect(found).toEqual([]);
  });
}

test('the sign-in form and a viewer session have no serious or critical violations', async ({
  page,
  browser,
  vm,
}) => {
  const dir = mkdtempSync(join(tmpdir(), 'blockscope-a11y-'));
  const served = await startBlockscope([
    'serve',
    '--target',
    `ops=unix:${vm.qmpSocket}`,
    '--token-file',
    join(dir, 'token'),
    '--viewer-token-file',
    join(dir, 'viewer-token'),
  ]);
  try {
    const found: string[] = [];
    const signInForm = (p: Page) =>
      p.getByRole('form', { name: 'Sign in to this Blockscope server' });
    await page.goto(served.origin);
    await expect(signInForm(page)).toBeVisible();
    found.push(...(await scan(page, 'sign-in')));
    await page.goto(`${served.origin}/#token=not-the-token`);
    await expect(signInForm(page).getByRole('alert')).toContainText('not accepted');
    found.push(...(await scan(page, 'sign-in, token refused')));

    const viewerToken = readFileSync(join(dir, 'viewer-token'), 'utf8').trim();
    await openGraph(page, `${served.origin}/#token=${viewerToken}`);
    const showTop = async () => {
      await expect(page.getByRole('banner')).toContainText('Viewer · read-only');
      await page.locator('[data-testid="block-node"][data-node-name="top"]').click();
      const details = page.getByRole('complementary', { name: 'Node details' });
      await expect(details.getByRole('button', { name: 'Mirror', exact: true })).toBeDisabled();
    };
    await showTop();
    found.push(...(await scan(page, 'viewer with details')));
    await useDarkMode(page);
    await expect(page.getByRole('region', { name: 'Block graph' }).getByRole('status')).toHaveText(
      /\d+ nodes/,
    );
    await showTop();
    found.push(...(await scan(page, 'viewer with details (dark)')));

    const dark = await browser.newContext({ colorScheme: 'dark' });
    try {
      const other = await dark.newPage();
      await other.goto(served.origin);
      await expect(signInForm(other)).toBeVisible();
      await expect(other.locator('html')).toHaveClass(/\bdark\b/);
      found.push(...(await scan(other, 'sign-in (dark)')));
    } finally {
      await dark.close();
    }
    expect(found).toEqual([]);
  } finally {
    await served.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
