// What an operator meets first, in Chromium against a real QEMU served by the real server: an
// operation done from the keyboard alone, a viewer who sees at once that the session is
// read-only, a QEMU killed under an open page, and signing in without, with a wrong and with a
// pasted token.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import type { TestQemu } from '../test/harness/qemu.ts';
import { startQemu } from '../proxy/qemu/launch.ts';
import { WsQmp } from '../test/integration/proxy-helpers.ts';
import { startBlockscope } from '../test/harness/blockscope.ts';
import { systemArgs } from '../test/fixtures/operations/vm.ts';
import {
  confirmAndWait,
  openGraph,
  openOperation,
  VDA,
} from '../test/fixtures/operations/e2e-helpers.ts';
import { expect, test } from '../test/fixtures/operations/e2e-fixture.ts';

/** The accessible names of the buttons a person can press now (shown and enabled). */
async function enabledButtonNames(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('button, [role="button"], summary')]
      .filter(
        (b) =>
          b.getClientRects().length > 0 &&
          !(b as HTMLButtonElement).disabled &&
          b.getAttribute('aria-disabled') !== 'true',
      )
      .map((b) =>
        (b.getAttribute('aria-label') ?? b.textContent ?? '').trim().replace(/\s+/g, ' '),
      ),
  );
}

/**
 * A backup of `data` into a scratch node at a byte a second, started behind the page's back:
 * a job that is still running whenever it is looked at.
 */
async function startCrawlingBackup(vm: TestQemu, jobId: string): Promise<void> {
  const nodes = await vm.direct.execute<
    { 'node-name': string; image: { 'virtual-size': number } }[]
  >('query-named-block-nodes', { flat: true });
  const size = nodes.find((n) => n['node-name'] === 'data')!.image['virtual-size'];
  const target = `${jobId}-dst`;
  await vm.direct.execute('blockdev-add', { driver: 'null-co', 'node-name': target, size });
  await vm.direct.execute('blockdev-backup', {
    'job-id': jobId,
    device: 'data',
    target,
    sync: 'full',
    speed: 1,
  });
}

/** `serve` for the fixture's QEMU, with a token file of its own (and more flags). */
function serveOps(vm: TestQemu, tokenFile: string, ...more: string[]): string[] {
  return [
    'serve',
    '--target',
    `ops=unix:${vm.qmpSocket}`,
    '--allow-path',
    vm.dir,
    '--token-file',
    tokenFile,
    ...more,
  ];
}

/** Presses Tab until a graph node with this aria-label has focus (bounded: the graph is small). */
async function tabToNode(page: Page, label: string): Promise<void> {
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => document.activeElement?.getAttribute('aria-label'));
    if (focused === label) return;
  }
  throw new Error(`Tab never reached the node '${label}'`);
}

test('an operation from the keyboard alone: node, details, dialog, Escape back', async ({
  page,
  served,
}) => {
  await openGraph(page, served.url);
  await tabToNode(page, 'format top');
  // The focused node is drawn with a ring a person can see.
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
  expect(outline).toBe('solid');

  await page.keyboard.press('Enter');
  const details = page.getByRole('complementary', { name: 'Node details' });
  await expect(details.getByRole('heading', { name: 'top', exact: true })).toBeVisible();
  await expect(details).toBeFocused();

  // Tab goes on into the panel: its Close button, then the operations.
  await page.keyboard.press('Tab');
  await expect(details.getByRole('button', { name: 'Close details' })).toBeFocused();
  await page.keyboard.press('Tab');
  const backup = details.getByRole('button', { name: 'Backup', exact: true });
  for (let i = 0; i < 6 && !(await backup.evaluate((b) => b === document.activeElement)); i++) {
    await page.keyboard.press('Tab');
  }
  await expect(backup).toBeFocused();
  await page.keyboard.press('Enter');

  const dialog = page.getByRole('dialog', { name: /^Backup / });
  await expect(dialog).toBeVisible();
  // Focus went into the dialog, and Tab keeps it there however far it goes.
  await expect.poll(() => dialog.evaluate((d) => d.contains(document.activeElement))).toBe(true);
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    expect(await dialog.evaluate((d) => d.contains(document.activeElement))).toBe(true);
  }
  for (let i = 0; i < 5; i++) {
    await page.keyboard.press('Shift+Tab');
    expect(await dialog.evaluate((d) => d.contains(document.activeElement))).toBe(true);
  }

  // Escape closes it and gives focus back to the button that opened it.
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(backup).toBeFocused();

  // Escape in the panel closes it and goes back to the node.
  await page.keyboard.press('Escape');
  await expect(details).toHaveCount(0);
  const focused = await page.evaluate(() => document.activeElement?.getAttribute('aria-label'));
  expect(focused).toBe('format top');
});

test('a viewer sees a read-only session: operations, job controls and removal are off', async ({
  page,
  vm,
}) => {
  const dir = mkdtempSync(join(tmpdir(), 'blockscope-viewer-'));
  const served = await startBlockscope(
    serveOps(vm, join(dir, 'token'), '--viewer-token-file', join(dir, 'viewer-token')),
  );
  try {
    const viewerToken = readFileSync(join(dir, 'viewer-token'), 'utf8').trim();
    await openGraph(page, `${served.origin}/#token=${viewerToken}`);
    await expect(page.getByRole('banner')).toContainText('Viewer · read-only');
    await page.locator('[data-testid="block-node"][data-node-name="top"]').click();
    const details = page.getByRole('complementary', { name: 'Node details' });
    const operations = details.getByRole('group', { name: 'Operations' }).getByRole('button');
    await expect(operations).toHaveCount(7);
    for (const button of await operations.all()) {
      await expect(button).toBeDisabled();
      await expect(button).toHaveAttribute('title', /Read-only session/);
    }
    await expect(details.getByRole('button', { name: 'Remove node' })).toBeDisabled();

    // A server a script started: a viewer sees it, and cannot stop it.
    await vm.direct.execute('nbd-server-start', {
      addr: { type: 'inet', data: { host: '127.0.0.1', port: '0' } },
    });
    await vm.direct.execute('block-export-add', { type: 'nbd', id: 'seen', 'node-name': 'data' });
    await page.reload();
    await page.getByRole('tab', { name: 'Exports' }).click();
    const exports = page.getByRole('region', { name: 'Exports' });
    await expect(exports.getByRole('button', { name: 'Stop NBD server' })).toBeDisabled();
    await expect(
      exports.getByRole('button', { name: 'Remove export seen', exact: true }),
    ).toBeDisabled();

    // With a job running and every panel shown once, no enabled button on the page is one that
    // would change QEMU: each enabled one is a view control (a list of what those are).
    await startCrawlingBackup(vm, 'viewer-sees');
    await expect(page.getByRole('article', { name: 'Job viewer-sees' })).toBeVisible();
    await page.locator('[data-testid="block-node"][data-node-name="top"]').click();
    await expect(details).toBeVisible();
    const enabled = new Set<string>();
    for (const [tab, region] of [
      ['Exports', 'Exports'],
      ['Event log', 'Event log'],
      ['Run command', 'Run command'],
      ['Audit', 'Audit log'],
    ] as const) {
      await page.getByRole('tab', { name: tab }).click();
      await expect(page.getByRole('region', { name: region })).toBeVisible();
      for (const name of await enabledButtonNames(page)) enabled.add(name);
    }
    const viewControl =
      /^(Zoom to fit|Tidy layout|Save picture ▾|Export (SVG|PNG|DOT)|Switch to (dark|light) mode|Close details|Fold the side panels|Enlarge|Shrink|Exports|Event log|Run command|Audit|\d+ new nodes? out of view: show|Edge labels|Options|Clear|Clear finished|Copy .*|zoom in|zoom out|Run|Show the side panels|Jobs.*|Raw query results|Timeline \(\d+\)|data|viewer-sees-dst)$/i;
    expect([...enabled].filter((name) => !viewControl.test(name))).toEqual([]);
    // The job card links its nodes (data and its target: they select them in the graph), offers no
    // control at all.
    const job = page.getByRole('article', { name: 'Job viewer-sees' });
    await expect(job.getByRole('button', { name: 'data', exact: true })).toBeEnabled();
    await expect(
      job.getByRole('button', {
        name: /^(Pause|Resume|Cancel|Complete|Finish|Set speed|Dismiss|Finalize)/,
      }),
    ).toHaveCount(0);
    await expect(page.getByRole('complementary', { name: 'Jobs' })).toContainText(
      'Read-only session: job controls are hidden',
    );
  } finally {
    await served.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('QEMU killed under an open page: within 2 s header, banner, dimmed views and the server log say so; a new QEMU brings it all back without a reload', async ({
  page,
  served,
  vm,
}) => {
  await openGraph(page, served.url);
  const header = page.getByRole('banner');
  const status = header.getByRole('status', { name: 'Connection' });
  await expect(status).toContainText('Connected');
  // Survives only as long as this document: a reload would lose it.
  await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));

  process.kill(vm.process.pid, 'SIGKILL');
  await vm.process.exited;

  const banner = page.getByRole('alert').filter({ hasText: 'QEMU disconnected' });
  // The 2 s are counted from the kill: every wait below shares them.
  const deadline = Date.now() + 2_000;
  const left = () => ({ timeout: Math.max(1, deadline - Date.now()) });
  await expect(banner).toBeVisible(left());
  await expect(status).toContainText('QEMU disconnected', left());
  await expect(page.locator('[data-stale="true"]')).toHaveCount(1, left());
  await expect(status).not.toContainText('Connected');
  await expect(banner).toContainText(/since \d/);
  await expect(banner).toContainText('the last state read, not QEMU now');
  // The server's own log says it too, once.
  await expect.poll(() => served.stderr()).toMatch(/target ops: QEMU connection lost.*retrying/);
  expect(served.stderr().match(/QEMU connection lost/g)).toHaveLength(1);

  // A new QEMU on the same monitor path, the images as they were.
  await rm(vm.qmpSocket, { force: true });
  await rm(vm.directSocket, { force: true });
  const again = await startQemu({
    kind: 'system',
    qmpSockets: [vm.qmpSocket, vm.directSocket],
    args: systemArgs(vm.dir),
  });
  try {
    await expect(status).toContainText('Connected', { timeout: 15_000 });
    await expect(banner).toHaveCount(0);
    await expect(page.locator('[data-stale="true"]')).toHaveCount(0);
    // The graph is read again from the new QEMU: its chain is drawn, in the same document.
    await expect(page.locator('[data-testid="block-node"][data-node-name="top"]')).toBeVisible();
    expect(
      await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument),
    ).toBe(true);
    await expect.poll(() => served.stderr()).toMatch(/target ops: connected again \(QEMU /);
  } finally {
    await again.stop();
  }
});

test('the Blockscope server stopped under an open page: the banner stays up while the page retries, and the page comes back by itself', async ({
  page,
  vm,
}) => {
  const dir = mkdtempSync(join(tmpdir(), 'blockscope-e2e-restart-'));
  const args = serveOps(vm, join(dir, 'token'));
  let served = await startBlockscope(args);
  try {
    await openGraph(page, served.url);
    const status = page.getByRole('banner').getByRole('status', { name: 'Connection' });
    await expect(status).toContainText('Connected');
    await page.evaluate(
      () => ((window as unknown as { sameDocument: boolean }).sameDocument = true),
    );

    await served.stop();
    const banner = page
      .getByRole('alert')
      .filter({ hasText: 'No connection to the Blockscope server' });
    await expect(banner).toBeVisible({ timeout: 2_000 });
    await expect(page.locator('[data-stale="true"]')).toHaveCount(1);
    // The page tries again and again, each try a new WebSocket that fails: the banner, with the
    // time of the loss, stays up through every try (a try is not a first connection).
    const since = await banner.textContent();
    expect(since).toMatch(/since \d/);
    let tries = 0;
    page.on('websocket', () => tries++);
    const seen = new Set<string>();
    await expect
      .poll(
        async () => {
          // The reason may change (shutting down, then refused); the time of the loss may not.
          const texts = await banner.allTextContents();
          seen.add(texts.map((t) => /since [^.]+/.exec(t)?.[0] ?? t).join('|') || 'no banner');
          return tries;
        },
        { timeout: 10_000, intervals: [50] },
      )
      .toBeGreaterThanOrEqual(3);
    expect([...seen]).toEqual([/since [^.]+/.exec(since ?? '')?.[0]]);

    served = await startBlockscope(args, { listen: new URL(served.origin).host });
    await expect(status).toContainText('Connected', { timeout: 15_000 });
    await expect(banner).toHaveCount(0);
    await expect(page.locator('[data-stale="true"]')).toHaveCount(0);
    expect(
      await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument),
    ).toBe(true);
  } finally {
    await served.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('signing in: no token, a wrong one, then the right one pasted into the same tab', async ({
  page,
  served,
}) => {
  const started = Date.now();
  await page.goto(served.origin);
  const form = page.getByRole('form', { name: 'Sign in to this Blockscope server' });
  await expect(form).toBeVisible();
  // Said at once, not after the page's retries: within a second of the page's code being loaded.
  const saidAfter = await page.evaluate(() => {
    const [nav] = performance.getEntriesByType('navigation') as PerformanceNavigationTiming[];
    return performance.now() - (nav?.domContentLoadedEventEnd ?? 0);
  });
  console.log(`sign-in form shown ${Math.round(saidAfter)} ms after the page loaded`);
  expect(saidAfter).toBeLessThan(1_000);
  expect(Date.now() - started).toBeLessThan(5_000);
  await expect(page.getByText('No QEMU targets are configured')).toHaveCount(0);

  // A wrong token in the link: refused, and said so.
  await page.goto(`${served.origin}/#token=not-the-token`);
  await expect(form.getByRole('alert')).toContainText('not accepted');

  // A wrong token typed in: the same words, nothing else changes.
  await form.getByLabel('Token').fill('still-not-it');
  await form.getByRole('button', { name: 'Sign in' }).click();
  await expect(form.getByRole('alert')).toContainText('not accepted');

  // The right #token= pasted into the address bar of this tab (a hash change, no reload).
  await page.evaluate((token) => (window.location.hash = `token=${token}`), served.token);
  await expect(page.getByRole('region', { name: 'Block graph' }).getByRole('status')).toHaveText(
    /\d+ nodes/,
  );
  await expect(form).toHaveCount(0);
  // The token left the address bar.
  expect(page.url()).not.toContain('token=');
});

test('a session that ends under an open page (the server restarted with a new token): the sign-in form says so at once, and the new link signs in', async ({
  page,
  vm,
}) => {
  const dir = mkdtempSync(join(tmpdir(), 'blockscope-e2e-session-'));
  const args = (tokenFile: string) => serveOps(vm, join(dir, tokenFile));
  let served = await startBlockscope(args('first-token'));
  try {
    await openGraph(page, served.url);
    await served.stop();
    served = await startBlockscope(args('second-token'), {
      listen: new URL(served.origin).host,
    });
    // The page's next try is refused as not signed in; from that refusal the form takes < 1 s.
    const refused = new Promise<number>((resolve) =>
      page.on('websocket', (ws) => ws.on('close', () => resolve(Date.now()))),
    );
    const form = page.getByRole('form', { name: 'Sign in to this Blockscope server' });
    await expect(form).toBeVisible({ timeout: 15_000 });
    const after = Date.now() - (await refused);
    console.log(`sign-in form shown ${after} ms after the refused WebSocket`);
    expect(after).toBeLessThan(1_000);
    await expect(form.getByRole('alert')).toContainText('Your session with this server ended');

    // The new server's link, pasted into the same tab.
    await page.evaluate((token) => (window.location.hash = `token=${token}`), served.token);
    await expect(page.getByRole('region', { name: 'Block graph' }).getByRole('status')).toHaveText(
      /\d+ nodes/,
    );
    await expect(form).toHaveCount(0);
    await expect(
      page.getByRole('banner').getByRole('status', { name: 'Connection' }),
    ).toContainText('Connected');
  } finally {
    await served.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('signing in with the token typed into the form', async ({ page, served }) => {
  await page.goto(served.origin);
  const form = page.getByRole('form', { name: 'Sign in to this Blockscope server' });
  await form.getByLabel('Token').fill(`#token=${served.token}`);
  await form.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('region', { name: 'Block graph' }).getByRole('status')).toHaveText(
    /\d+ nodes/,
  );
});

test('Stream is its own operation: titled Stream, run from its dialog, the chain shortened in QEMU', async ({
  page,
  served,
  vm,
}) => {
  await openGraph(page, served.url);
  const dialog = await openOperation(page, 'top', 'Stream');
  await expect(dialog.getByRole('heading', { name: 'Stream top' })).toBeVisible();
  await expect(dialog.getByText('Direction')).toHaveCount(0);
  await confirmAndWait(dialog, 'Start stream');
  // The whole chain was pulled up into top: QEMU reports no backing image under it any more.
  const nodes = await vm.direct.execute<{ 'node-name': string; backing_file_depth: number }[]>(
    'query-named-block-nodes',
    { flat: true },
  );
  expect(nodes.find((n) => n['node-name'] === 'top')?.backing_file_depth).toBe(0);
});

test("a device's own throttle shows its limits, not QEMU's group name, inside the card; edge labels have a legend", async ({
  page,
  served,
  vm,
}) => {
  await vm.direct.execute('block_set_io_throttle', {
    id: VDA,
    bps: 0,
    bps_rd: 0,
    bps_wr: 0,
    iops: 100,
    iops_rd: 0,
    iops_wr: 0,
  });
  const blocks =
    await vm.direct.execute<{ qdev: string; inserted?: { group?: string; iops?: number } }[]>(
      'query-block',
    );
  const internal = blocks.find((b) => b.qdev === VDA)?.inserted?.group;
  expect(internal).toBeTruthy();
  await openGraph(page, served.url);
  const card = page.locator(`[data-testid="block-node"][data-node-name="${VDA}"]`);
  const badge = card.getByTitle(/^throttled/);
  await expect(badge).toHaveText('throttled · 100 IOPS');
  // (QEMU names the group after the device's path: the card's subtitle, not the badge, shows it.)
  await expect(badge).not.toContainText(internal!);
  const [inner, outer] = [await badge.boundingBox(), await card.boundingBox()];
  expect(inner!.x + inner!.width).toBeLessThanOrEqual(outer!.x + outer!.width + 0.5);

  const legend = page.getByText('Edge labels');
  await legend.click();
  await expect(page.getByText('consistent-read')).toBeVisible();
  await expect(page.getByText('write-unchanged')).toBeVisible();
});

/** Whether any node card overlaps the box of `over` (both in page pixels). */
async function nodesUnder(page: Page, selector: string): Promise<string[]> {
  return page.evaluate((sel) => {
    const over = document.querySelector(sel)?.getBoundingClientRect();
    if (!over) return ['(no overlay)'];
    return [...document.querySelectorAll<HTMLElement>('.react-flow__node')]
      .filter((n) => {
        const r = n.getBoundingClientRect();
        return (
          r.left < over.right && r.right > over.left && r.top < over.bottom && r.bottom > over.top
        );
      })
      .map((n) => n.getAttribute('aria-label') ?? '?');
  }, selector);
}

/** The nodes not wholly inside the graph's pane, or a note when there are none at all. */
async function nodesOutsidePane(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const pane = document.querySelector('.react-flow')?.getBoundingClientRect();
    const nodes = [...document.querySelectorAll<HTMLElement>('.react-flow__node')];
    if (!pane || nodes.length === 0) return ['(no nodes drawn)'];
    return nodes
      .filter((n) => {
        const r = n.getBoundingClientRect();
        return (
          r.left < pane.left || r.right > pane.right || r.top < pane.top || r.bottom > pane.bottom
        );
      })
      .map((n) => n.getAttribute('aria-label') ?? '?');
  });
}

for (const size of [
  { width: 1600, height: 1000 },
  { width: 1024, height: 700 },
]) {
  test(`zoom to fit at ${size.width}×${size.height} keeps every node clear of the toolbar, the minimap and the details panel`, async ({
    page,
    served,
  }) => {
    await page.setViewportSize(size);
    await openGraph(page, served.url);
    const graph = page.getByRole('region', { name: 'Block graph' });
    await graph.getByRole('button', { name: 'Zoom to fit' }).click();
    await expect.poll(() => nodesUnder(page, '[data-graph-overlay="top"]')).toEqual([]);
    await expect.poll(() => nodesUnder(page, '.react-flow__minimap')).toEqual([]);
    await expect.poll(() => nodesOutsidePane(page)).toEqual([]);

    await page.locator('[data-testid="block-node"][data-node-name="top"]').dispatchEvent('click');
    await expect(page.getByRole('complementary', { name: 'Node details' })).toBeVisible();
    await graph.getByRole('button', { name: 'Zoom to fit' }).click();
    await expect.poll(() => nodesUnder(page, '[data-graph-overlay="right"]')).toEqual([]);
    await expect.poll(() => nodesUnder(page, '[data-graph-overlay="top"]')).toEqual([]);
    await expect.poll(() => nodesUnder(page, '.react-flow__minimap')).toEqual([]);
    await expect.poll(() => nodesOutsidePane(page)).toEqual([]);
  });
}

test('at 1024×700 the side panels fold into a rail that gives the graph the room, counts the jobs, stays folded across a reload and opens on the tab asked for', async ({
  page,
  served,
  vm,
}) => {
  await page.setViewportSize({ width: 1024, height: 700 });
  await openGraph(page, served.url);
  const graph = page.getByRole('region', { name: 'Block graph' });
  const widthOf = async () => (await graph.boundingBox())?.width ?? 0;
  const open = await widthOf();
  await page.getByRole('button', { name: 'Fold the side panels' }).click();
  const rail = page.getByRole('navigation', { name: 'Side panels' });
  await expect(rail).toBeVisible();
  await expect(page.getByRole('complementary', { name: 'Jobs' })).toBeHidden();
  await expect.poll(widthOf).toBeGreaterThan(open + 300);
  // A job started elsewhere is counted on the rail (the folded Jobs panel still follows QEMU).
  await expect(rail.getByRole('button', { name: 'Jobs', exact: true })).toBeVisible();
  await startCrawlingBackup(vm, 'rail-job');
  await expect(rail.getByRole('button', { name: 'Jobs (1)' })).toBeVisible();
  // The node details beside the graph leave it more than the whole open column did.
  await page.locator('[data-testid="block-node"][data-node-name="top"]').dispatchEvent('click');
  await expect(page.getByRole('complementary', { name: 'Node details' })).toBeVisible();
  expect(await widthOf()).toBeGreaterThan(open);

  await page.reload();
  await expect(graph.getByRole('status')).toHaveText(/\d+ nodes/);
  await expect(rail).toBeVisible();
  await rail.getByRole('button', { name: 'Event log' }).click();
  await expect(rail).toHaveCount(0);
  await expect(page.getByRole('tab', { name: 'Event log' })).toHaveAttribute(
    'aria-selected',
    'true',
  );
  await expect(page.getByRole('region', { name: 'Event log' })).toBeVisible();
  await expect.poll(widthOf).toBeLessThan(open + 1);
});

test('a node chosen in the graph is in the address, which opens it again; the count follows the device filter and the search', async ({
  page,
  served,
  context,
}) => {
  await openGraph(page, served.url);
  const graph = page.getByRole('region', { name: 'Block graph' });
  const count = graph.getByRole('status');
  const all = Number.parseInt((await count.textContent()) ?? '', 10);
  expect(all).toBeGreaterThan(4);

  await page.locator('[data-testid="block-node"][data-node-name="mid"]').dispatchEvent('click');
  await expect(page).toHaveURL(/#\/target\/ops\/node\/mid$/);
  const address = page.url();
  await page.getByRole('button', { name: 'Close details' }).click();
  await expect(page).toHaveURL(/#\/target\/ops$/);

  const other = await context.newPage();
  await other.goto(address);
  const details = other.getByRole('complementary', { name: 'Node details' });
  await expect(details.getByRole('heading', { name: 'mid', exact: true })).toBeVisible();
  await other.close();

  await graph.getByRole('combobox', { name: 'Show device' }).selectOption({ label: 'vdb' });
  await expect(count).toHaveText(new RegExp(`^\\d+ of ${all} nodes$`));
  const shown = Number.parseInt((await count.textContent()) ?? '', 10);
  expect(shown).toBeLessThan(all);
  await expect(page.locator('.react-flow__node')).toHaveCount(shown);
  await graph.getByRole('searchbox', { name: 'Search nodes' }).fill('data');
  await expect(count).toHaveText(new RegExp(`^${shown} of ${all} nodes · [1-9]\\d* match(es)?$`));
  await graph.getByRole('searchbox', { name: 'Search nodes' }).fill('no-such-node');
  await expect(count).toHaveText(`${shown} of ${all} nodes · no matches`);
});

test('the tabs below the jobs can be enlarged over the whole column, wider, and back', async ({
  page,
  served,
}) => {
  await page.setViewportSize({ width: 1600, height: 1000 });
  await openGraph(page, served.url);
  await page.getByRole('tab', { name: 'Run command' }).click();
  const panel = page.getByRole('tabpanel');
  const before = (await panel.boundingBox())!;
  await page.getByRole('button', { name: 'Enlarge' }).click();
  await expect(page.getByRole('complementary', { name: 'Jobs' })).toBeHidden();
  await expect(page.getByRole('button', { name: 'Shrink' })).toHaveAttribute(
    'aria-pressed',
    'true',
  );
  await expect
    .poll(async () => (await panel.boundingBox())!.height)
    .toBeGreaterThan(before.height * 1.8);
  expect((await panel.boundingBox())!.width).toBeGreaterThan(before.width + 200);
  await page.getByRole('button', { name: 'Shrink' }).click();
  await expect(page.getByRole('complementary', { name: 'Jobs' })).toBeVisible();
  await expect.poll(async () => (await panel.boundingBox())!.width).toBeLessThan(before.width + 1);
});

test('the tabs below the jobs are one Tab stop: the arrow keys, Home and End choose among them, and Tab goes on into the panel', async ({
  page,
  served,
}) => {
  await page.setViewportSize({ width: 1600, height: 1000 });
  await openGraph(page, served.url);
  const tablist = page.getByRole('tablist', { name: 'Panels' });
  const tab = (name: string) => tablist.getByRole('tab', { name });
  const panel = page.getByRole('tabpanel');
  const focusedTab = () =>
    page.evaluate(() => {
      const el = document.activeElement;
      return el?.getAttribute('role') === 'tab' ? el.textContent : null;
    });
  await expect(tab('Exports')).toHaveAttribute('aria-selected', 'true');
  // Only the chosen tab is in the Tab order.
  await expect(tablist.locator('[tabindex="0"]')).toHaveCount(1);
  await tab('Exports').focus();
  await page.keyboard.press('ArrowRight');
  expect(await focusedTab()).toBe('Event log');
  await expect(tab('Event log')).toHaveAttribute('aria-selected', 'true');
  await expect(panel).toHaveAccessibleName('Event log');
  await expect(panel.getByRole('region', { name: 'Event log' })).toBeVisible();
  await page.keyboard.press('End');
  expect(await focusedTab()).toBe('Audit');
  await expect(panel).toHaveAccessibleName('Audit');
  await page.keyboard.press('ArrowRight'); // wraps round to the first
  expect(await focusedTab()).toBe('Exports');
  await page.keyboard.press('ArrowLeft');
  expect(await focusedTab()).toBe('Audit');
  await page.keyboard.press('Home');
  expect(await focusedTab()).toBe('Exports');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await expect(tab('Run command')).toHaveAttribute('aria-selected', 'true');
  // Tab leaves the tab list: the next stop is the Enlarge button beside it, not the next tab.
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Enlarge' })).toBeFocused();
});

test("the Audit tab shows the server's audit lines for the target, another tool's refused command among them, filterable; a viewer is told it is for operators", async ({
  page,
  vm,
}) => {
  const dir = mkdtempSync(join(tmpdir(), 'blockscope-e2e-audit-'));
  const auditFile = join(dir, 'audit.jsonl');
  const served = await startBlockscope(
    serveOps(
      vm,
      join(dir, 'token'),
      '--viewer-token-file',
      join(dir, 'viewer-token'),
      '--audit-log',
      auditFile,
    ),
  );
  try {
    await openGraph(page, served.url);
    await page.getByRole('tab', { name: 'Audit' }).click();
    const audit = page.getByRole('region', { name: 'Audit log' });
    await expect(audit).toContainText('Nothing yet');

    // A script through the same server: one change that goes through, one the policy refuses.
    const script = await WsQmp.open(
      { port: Number(new URL(served.origin).port), token: served.token },
      'ops',
    );
    expect(
      await script.send({
        execute: 'blockdev-add',
        arguments: { driver: 'null-co', 'node-name': 'audit-seen', size: 1 << 20 },
        id: 1,
      }),
    ).toMatchObject({ return: {} });
    expect(await script.send({ execute: 'quit', id: 2 })).toMatchObject({
      error: { class: 'BlockscopeDenied' },
    });
    script.close();

    const lines = audit.getByRole('list', { name: 'Audit lines' }).getByRole('listitem');
    await expect(lines).toHaveCount(2);
    // Newest first: the refusal, then the node added, each with its outcome and who sent it.
    await expect(lines.nth(0)).toContainText('quit');
    await expect(lines.nth(0)).toContainText('refused');
    await expect(lines.nth(1)).toContainText('blockdev-add');
    await expect(lines.nth(1)).toContainText('ok');
    await expect(lines.nth(1)).toContainText('by operator');
    await expect(lines.nth(1)).toContainText('"node-name":"audit-seen"');
    await expect(audit).toContainText('--audit-log file');
    // The page's lines are the file's.
    const fromFile = readFileSync(auditFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(fromFile.filter((l) => l.target === 'ops').map((l) => l.command)).toEqual([
      'blockdev-add',
      'quit',
    ]);

    await audit.getByRole('searchbox', { name: 'Filter the audit log' }).fill('audit-seen');
    await expect(lines).toHaveCount(1);
    await expect(audit).toContainText('1 of 2');

    const viewer = await page.context().browser()!.newPage();
    try {
      const viewerToken = readFileSync(join(dir, 'viewer-token'), 'utf8').trim();
      await openGraph(viewer, `${served.origin}/#token=${viewerToken}`);
      await viewer.getByRole('tab', { name: 'Audit' }).click();
      await expect(viewer.getByRole('region', { name: 'Audit log' })).toContainText(
        'Only an operator session can read the audit log',
      );
    } finally {
      await viewer.close();
    }
  } finally {
    await served.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
