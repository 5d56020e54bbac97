// The accessibility scan: axe-core (through @axe-core/playwright) on the page's main views in
// Chromium against a real QEMU served by the real server, in light and dark mode. A view passes
// when axe finds nothing it rates serious or critical under WCAG 2.x A/AA and its best practices,
// neither as a violation nor as a finding it leaves for review (bar colour contrast over the graph).
// Nothing of the page is left out of the scan. Graph cards are also checked one at a time
// (scanCards): in the whole-page scan axe cannot tell their background.
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

/** What axe reports under `violations` (axe-core's own type, through the Playwright wrapper). */
type Violations = Awaited<ReturnType<AxeBuilder['analyze']>>['violations'];

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];

/**
 * Scans the page as it is and returns one readable line per serious or critical violation:
 * the view, the rule, its impact, axe's help text and every element it names.
 */
async function scan(page: Page, view: string): Promise<string[]> {
  const { violations, incomplete } = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  // What axe could not decide counts too, but for colour contrast over the graph's stacked
  // layers, which it cannot compute there (the cards are checked alone, by scanCards).
  const undecided = incomplete.filter((v) => v.id !== 'color-contrast');
  return describe(view, [...violations, ...undecided]);
}

function describe(view: string, violations: Violations): string[] {
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

/**
 * The graph's cards, one kind at a time. Under React Flow's stacking axe cannot tell a card's
 * background and leaves its text "incomplete" — except on the selected card, which React Flow
 * raises above the rest. So a card of each kind is selected in turn, the view fitted (clear of
 * the toolbar, the minimap and the details panel) on a screen large enough for the cards' text,
 * and its colour contrast checked alone; text whose contrast axe still cannot decide is reported.
 */
async function scanCards(page: Page, view: string): Promise<string[]> {
  const before = page.viewportSize();
  await page.setViewportSize({ width: 1920, height: 1200 });
  const graph = page.getByRole('region', { name: 'Block graph' });
  const kinds = await page
    .locator('.react-flow__node')
    .evaluateAll((nodes) => [
      ...new Set(
        nodes.flatMap((n) => [...n.classList].filter((c) => /^react-flow__node-\w/.test(c))),
      ),
    ]);
  expect(kinds.length).toBeGreaterThanOrEqual(3);
  const found: string[] = [];
  for (const kind of kinds) {
    const card = page.locator(`.${kind}`).first();
    await card.dispatchEvent('click');
    await expect(card).toHaveClass(/\bselected\b/);
    await graph.getByRole('button', { name: 'Zoom to fit' }).click();
    // The fit glides: wait until the card stands still.
    let last = '';
    await expect
      .poll(async () => {
        const box = JSON.stringify(await card.boundingBox());
        const still = box === last;
        last = box;
        return still;
      })
      .toBe(true);
    const result = await new AxeBuilder({ page })
      .include('.react-flow__node.selected')
      .withRules(['color-contrast'])
      .analyze();
    const name = `${view}, ${kind.replace('react-flow__node-', '')} card`;
    found.push(...describe(name, result.violations));
    const undecided = result.incomplete.flatMap((v) =>
      v.nodes
        .filter((n) => !n.any.some((c) => /only non-text characters/.test(c.message)))
        .map(
          (n) =>
            `${name}: contrast undecided: ${n.target.join(' ')} (${n.any.map((c) => c.message).join('; ')})`,
        ),
    );
    found.push(...undecided);
    const decided = result.passes.flatMap((v) => v.nodes).length;
    if (decided === 0) found.push(`${name}: no text of the card was checked`);
  }
  if (before) await page.setViewportSize(before);
  return found;
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
    found.push(...(await scanCards(page, 'graph')));

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

    await page.getByRole('tab', { name: 'Audit' }).click();
    await expect(
      page.getByRole('list', { name: 'Audit lines' }).getByRole('listitem').first(),
    ).toBeVisible();
    found.push(...(await scan(page, 'audit')));

    await page.getByRole('link', { name: 'Fleet' }).click();
    await expect(page.getByRole('table', { name: 'Targets' })).toContainText('ops');
    found.push(...(await scan(page, 'fleet')));

    await page.getByRole('link', { name: 'All jobs' }).click();
    await expect(page.getByRole('main')).toContainText('mirror-data');
    found.push(...(await scan(page, 'all jobs')));

    expect(found).toEqual([]);
  });
}

for (const scheme of ['light', 'dark'] as const) {
  test(`every operation dialog, a removal, the edge legend and a generated command form (${scheme})`, async ({
    page,
    served,
    vm,
  }) => {
    const found: string[] = [];
    await vm.direct.execute('blockdev-add', { driver: 'null-co', 'node-name': 'spare' });
    await page.emulateMedia({ colorScheme: scheme });
    await openGraph(page, served.url);
    for (const operation of ['Backup', 'Commit', 'Stream', 'Export', 'Throttle', 'Snapshot']) {
      const dialog = await openOperation(page, 'top', operation);
      found.push(...(await scan(page, `${operation} dialog`)));
      await dialog.getByRole('button', { name: 'Close' }).click();
      await expect(dialog).toHaveCount(0);
    }

    const details = page.getByRole('complementary', { name: 'Node details' });
    await details.getByRole('button', { name: 'Close details' }).click();
    await page.locator('[data-testid="block-node"][data-node-name="spare"]').click();
    await details.getByRole('button', { name: 'Remove node' }).click();
    const removal = page.getByRole('alertdialog', { name: "Remove node 'spare'?" });
    await expect(removal.getByRole('button', { name: 'Keep it' })).toBeFocused();
    found.push(...(await scan(page, 'remove node')));
    await removal.getByRole('button', { name: 'Keep it' }).click();

    await page.getByText('Edge labels').click();
    await expect(page.getByText('consistent-read')).toBeVisible();
    found.push(...(await scan(page, 'edge legend')));

    await page.getByRole('tab', { name: 'Run command' }).click();
    const panel = page.getByRole('region', { name: 'Run command' });
    await panel.getByRole('combobox', { name: /^Command/ }).fill('blockdev-add');
    const form = panel.getByRole('form', { name: 'blockdev-add arguments' });
    await form.getByLabel('driver', { exact: true }).selectOption('qcow2');
    await form
      .getByRole('radiogroup', { name: 'file kind', exact: true })
      .getByLabel('inline definition')
      .check();
    await expect(form.getByRole('group', { name: /^file / })).toBeVisible();
    found.push(...(await scan(page, 'run command: blockdev-add form')));

    expect(found).toEqual([]);
  });
}

for (const scheme of ['light', 'dark'] as const) {
  test(`at 1024×700: the graph, the picture menu, the folded rail and the enlarged tabs (${scheme})`, async ({
    page,
    served,
  }) => {
    const found: string[] = [];
    await page.setViewportSize({ width: 1024, height: 700 });
    await page.emulateMedia({ colorScheme: scheme });
    await openGraph(page, served.url);
    found.push(...(await scan(page, '1024×700 graph')));

    const graph = page.getByRole('region', { name: 'Block graph' });
    await graph.getByText('Save picture').click();
    await expect(graph.getByRole('button', { name: 'Export SVG' })).toBeVisible();
    found.push(...(await scan(page, 'save picture menu')));
    await graph.getByText('Save picture').click();

    await page.getByRole('tab', { name: 'Event log' }).click();
    await page.getByRole('button', { name: 'Enlarge' }).click();
    await expect(page.getByRole('button', { name: 'Shrink' })).toHaveAttribute(
      'aria-pressed',
      'true',
    );
    found.push(...(await scan(page, 'enlarged tabs')));
    await page.getByRole('button', { name: 'Shrink' }).click();

    await page.getByRole('button', { name: 'Fold the side panels' }).click();
    const rail = page.getByRole('navigation', { name: 'Side panels' });
    await expect(rail.getByRole('button', { name: 'Jobs', exact: true })).toBeVisible();
    found.push(...(await scan(page, 'folded rail')));
    found.push(...(await scanCards(page, 'rail')));

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
