// One whole operation from the keyboard alone, in Chromium against a real QEMU: after the page
// has loaded, only key presses (Tab, Shift+Tab, Enter, Space, Escape, arrows and typing) — no
// clicks, no focus() — reach the disk's node, open its details and the Mirror dialog, fill in the
// target, review and start the plan, and Complete the job in the Jobs panel once it is ready.
// Checked outside the page with query-block and qemu-img compare.
import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { imagesIdentical } from '../test/harness/qemu.ts';
import {
  deviceNode,
  flushDevice,
  openGraph,
  VDB,
  waitForJobStatus,
} from '../test/fixtures/operations/e2e-helpers.ts';
import { expect, test } from '../test/fixtures/operations/e2e-fixture.ts';

const hasFocus = (target: Locator) => target.evaluate((el) => el === document.activeElement);

/** The keyboard, counting the Tab presses it takes to get anywhere. */
class Keys {
  tabs = 0;
  constructor(private readonly page: Page) {}

  /** Every place Tab stopped at that showed no focus indicator (no outline, no ring). */
  readonly unmarked: string[] = [];

  async press(key: string): Promise<void> {
    await this.page.keyboard.press(key);
    if (key !== 'Tab' && key !== 'Shift+Tab') return;
    this.tabs++;
    const unmarked = await this.page.evaluate(() => {
      const el = document.activeElement;
      // Past the last control Tab leaves the page for the browser's own (the body is active).
      if (!el || el === document.body) return null;
      const style = getComputedStyle(el);
      const outlined = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
      if (outlined || style.boxShadow !== 'none') return null;
      return `${el.tagName.toLowerCase()} ${el.getAttribute('aria-label') ?? el.textContent?.trim().slice(0, 40)}`;
    });
    if (unmarked) this.unmarked.push(unmarked);
  }

  /** Presses Tab (or Shift+Tab) until `target` has focus; returns how many presses that took. */
  async tabTo(target: Locator, { back = false, max = 80 } = {}): Promise<number> {
    await expect(target).toBeVisible();
    for (let i = 1; i <= max; i++) {
      await this.press(back ? 'Shift+Tab' : 'Tab');
      if (await hasFocus(target)) return i;
    }
    const at = await this.page.evaluate(() => {
      const el = document.activeElement;
      return el
        ? `${el.tagName} ${el.getAttribute('aria-label') ?? el.textContent?.slice(0, 40)}`
        : '';
    });
    throw new Error(`${max} presses of Tab never reached ${target.toString()} (focus on ${at})`);
  }

  /** Replaces the text of the focused field by typing. */
  async retype(text: string): Promise<void> {
    await this.page.keyboard.press('ControlOrMeta+A');
    await this.page.keyboard.press('Backspace');
    await this.page.keyboard.type(text);
  }
}

const LAYOUTS = [
  { name: 'the side panels open', width: 1280, height: 720, folded: false },
  {
    name: 'at 1024×700, the side panels folded into the rail',
    width: 1024,
    height: 700,
    folded: true,
  },
];

for (const layout of LAYOUTS) {
  test(`a mirror from the keyboard alone, node to Complete in the Jobs panel (${layout.name})`, async ({
    page,
    served,
    vm,
  }) => {
    await page.setViewportSize({ width: layout.width, height: layout.height });
    // A browser that folded the side panels before (the page remembers it).
    if (layout.folded) {
      await page.addInitScript(() => localStorage.setItem('blockscope.sideColumn', 'folded'));
    }
    await openGraph(page, served.url);
    const rail = page.getByRole('navigation', { name: 'Side panels' });
    await expect(rail).toHaveCount(layout.folded ? 1 : 0);
    const keys = new Keys(page);
    const counts: Record<string, number> = {};

    // The disk's node in the graph, then its details.
    const node = page.locator('.react-flow__node[aria-label="format data"]');
    counts.node = await keys.tabTo(node);
    await expect(node).toHaveCSS('outline-style', 'solid');
    await keys.press('Enter');
    const details = page.getByRole('complementary', { name: 'Node details' });
    await expect(details.getByRole('heading', { name: 'data', exact: true })).toBeVisible();
    await expect(details).toBeFocused();

    // Its Mirror operation.
    const mirror = details.getByRole('button', { name: 'Mirror', exact: true });
    counts.mirrorButton = await keys.tabTo(mirror);
    await keys.press('Enter');
    const dialog = page.getByRole('dialog', { name: /^Mirror / });
    await expect(dialog).toBeVisible();
    await expect(dialog.getByText('Reading the live state…')).toHaveCount(0);
    await expect.poll(() => dialog.evaluate((d) => d.contains(document.activeElement))).toBe(true);

    // The target: a new image of our own naming, and its node name.
    const target = join(vm.dir, 'data-by-keyboard.qcow2');
    const path = dialog.getByLabel('Image path');
    counts.imagePath = await keys.tabTo(path);
    await keys.retype(target);
    await expect(path).toHaveValue(target);
    const nodeName = dialog.getByLabel('Target node name');
    counts.nodeName = await keys.tabTo(nodeName);
    await keys.retype('data-kb');
    await expect(nodeName).toHaveValue('data-kb');

    // Review: the plan's mirror step, opened from the keyboard, names what was typed.
    const steps = dialog.getByRole('list', { name: 'Steps' }).getByRole('listitem');
    const start = steps.filter({ hasText: 'Start the mirror' });
    const qmp = start.getByText('QMP: blockdev-mirror');
    counts.review = await keys.tabTo(qmp);
    await keys.press('Enter');
    await expect(start).toContainText('"target": "data-kb"');

    // Run it.
    const run = dialog.getByRole('button', { name: 'Start mirror', exact: true });
    counts.startButton = await keys.tabTo(run);
    await keys.press('Enter');
    await waitForJobStatus(vm, 'mirror-data', 'ready');
    await expect(
      dialog.getByRole('status').filter({ hasText: 'Job mirror-data is ready' }),
    ).toBeVisible();

    // Escape closes the dialog and gives focus back to where it was opened from: the Mirror
    // button is disabled now (the job's filter node is the device's root), so its panel.
    await keys.press('Escape');
    await expect(dialog).toHaveCount(0);
    await expect(mirror).toBeDisabled();
    await expect(details).toBeFocused();

    // On to the Jobs panel (unfolded from the rail, which gives it focus), and Complete.
    const jobs = page.getByRole('complementary', { name: 'Jobs' });
    if (layout.folded) {
      counts.rail = await keys.tabTo(rail.getByRole('button', { name: /^Jobs/ }));
      await keys.press('Enter');
      await expect(rail).toHaveCount(0);
      await expect(jobs).toBeFocused();
    }
    const complete = jobs
      .getByRole('article', { name: 'Job mirror-data' })
      .getByRole('button', { name: 'Complete', exact: true });
    counts.complete = await keys.tabTo(complete);
    await keys.press('Enter');

    // The device now reads from the new image, and it holds what the disk held.
    await expect.poll(() => deviceNode(vm, VDB), { timeout: 30_000 }).toBe('data-kb');
    // The job has ended and its Complete button is gone: focus stayed in the Jobs panel.
    await expect(complete).toHaveCount(0);
    await expect(jobs).toBeFocused();
    const blocks =
      await vm.direct.execute<{ qdev: string; inserted?: { file: string } }[]>('query-block');
    expect(blocks.find((b) => b.qdev === VDB)?.inserted?.file).toBe(target);
    await flushDevice(vm, VDB);
    expect(await imagesIdentical(join(vm.dir, 'data.raw'), target)).toBe(true);

    const mirrorTabs = keys.tabs;

    // Folding the side panels from the keyboard leaves focus on the rail that replaces them.
    if (!layout.folded) {
      counts.fold = await keys.tabTo(page.getByRole('button', { name: 'Fold the side panels' }));
      await keys.press('Enter');
      await expect(rail.getByRole('button', { name: 'Show the side panels' })).toBeFocused();
    }

    // Wherever Tab went on the way, a person could see where it was.
    expect(keys.unmarked).toEqual([]);
    test.info().annotations.push({
      type: 'Tab presses',
      description: `${mirrorTabs} from the page's load to Complete: ${JSON.stringify(counts)}`,
    });
    console.log(
      `Tab presses: ${mirrorTabs} from the page's load to Complete: ${JSON.stringify(counts)}`,
    );
  });
}
