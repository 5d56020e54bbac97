// The live block graph in Chromium against a real QEMU with the demo's graph. The "second
// session" is the harness's direct QMP monitor: changes made there reach the page only through
// QEMU's events, exactly as changes made by another tool or another browser would.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { WebSocket } from 'ws';
import { demoNodeNames } from '../proxy/demo-vm.ts';
import {
  largeGraphArgs,
  largeGraphNodeCount,
  prepareLargeGraph,
} from '../test/fixtures/graph/large-qemu.ts';
import { createImage, startTestQemu, type TestQemu } from '../test/harness/qemu.ts';
import { expect, startBlockscope, test, type Served } from './fixtures.ts';

const DEVICES = ['vda', 'vdb', 'vdc'].map((id) => `/machine/peripheral/${id}/virtio-backend`);
const EVIL = '<img src=x onerror=alert(1)>.raw';

const blockNodes = (page: Page) => page.getByTestId('block-node');
const nodeNamed = (page: Page, name: string) =>
  page.locator(`[data-testid="block-node"][data-node-name="${name}"]`);

async function boxesOf(page: Page, names: readonly string[]) {
  const boxes: Record<string, { x: number; y: number } | null> = {};
  for (const name of names) {
    const box = await nodeNamed(page, name).boundingBox();
    boxes[name] = box && { x: Math.round(box.x), y: Math.round(box.y) };
  }
  return boxes;
}

async function openGraph(page: Page, url: string) {
  await page.goto(url);
  const graph = page.getByRole('region', { name: 'Block graph' });
  await expect(graph.getByRole('status')).toHaveText(/\d+ nodes/);
  return graph;
}

/** A point of the graph's pane with no card, toolbar or panel over it: where a drag pans. */
async function bareCanvasPoint(page: Page): Promise<{ x: number; y: number }> {
  return page.evaluate(() => {
    const box = document.querySelector('.react-flow__pane')!.getBoundingClientRect();
    for (let fy = 0.5; fy < 0.95; fy += 0.05) {
      for (let fx = 0.5; fx > 0.05; fx -= 0.05) {
        const x = box.left + box.width * fx;
        const y = box.top + box.height * fy;
        if (document.elementFromPoint(x, y)?.classList.contains('react-flow__pane'))
          return { x, y };
      }
    }
    throw new Error('no bare canvas to start a pan from');
  });
}

test('draws every node of the demo graph under its node-name or device path', async ({
  page,
  served,
}) => {
  await openGraph(page, served.url);
  await expect(blockNodes(page)).toHaveCount(demoNodeNames.length + DEVICES.length);
  const names = await blockNodes(page).evaluateAll((els) =>
    els.map((el) => el.getAttribute('data-node-name')),
  );
  expect(new Set(names)).toEqual(new Set([...demoNodeNames, ...DEVICES]));
  await expect(page.getByTestId('job-node')).toHaveCount(0);
});

test('the details panel shows a node in full with the operation entry points', async ({
  page,
  served,
}) => {
  await openGraph(page, served.url);
  await nodeNamed(page, 'os-top').click();
  const details = page.getByRole('complementary', { name: 'Node details' });
  await expect(details.getByRole('heading', { name: 'os-top' })).toBeVisible();
  await expect(details).toContainText('qcow2');
  await expect(details).toContainText('Backing depth2');
  for (const name of ['Mirror', 'Backup', 'Commit', 'Export', 'Throttle']) {
    await expect(details.getByRole('button', { name, exact: true })).toBeVisible();
  }
  await details.getByRole('button', { name: 'Close details' }).click();
  await expect(details).toHaveCount(0);
});

test('a dragged node follows the pointer, the rest stay, and Tidy layout puts it back', async ({
  page,
  served,
}) => {
  await openGraph(page, served.url);
  const names = [...demoNodeNames, ...DEVICES];
  const before = await boxesOf(page, names);
  const start = before['data']!;
  const box = (await nodeNamed(page, 'data').boundingBox())!;
  const grab = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  await page.mouse.move(grab.x, grab.y);
  await page.mouse.down();
  await page.mouse.move(grab.x + 60, grab.y + 90, { steps: 12 });
  await page.mouse.up();
  // React Flow starts a drag once the pointer has moved (here its first step, 5 × 7.5 px); from
  // then on the card follows the pointer, to the pixel (positions are rounded).
  const moved = async () => {
    const at = (await boxesOf(page, ['data']))['data']!;
    return Math.abs(at.x - start.x - 55) <= 1 && Math.abs(at.y - start.y - 82.5) <= 1;
  };
  await expect.poll(moved).toBe(true);
  const after = await boxesOf(page, names);
  for (const name of names) if (name !== 'data') expect(after[name], name).toEqual(before[name]);
  await page.getByRole('button', { name: 'Tidy layout' }).click();
  await expect.poll(async () => (await boxesOf(page, ['data']))['data']).toEqual(start);
});

test('filtering to one device shows only its subtree', async ({ page, served }) => {
  await openGraph(page, served.url);
  await page.getByRole('combobox', { name: 'Show device' }).selectOption({ label: 'vdb' });
  const names = await blockNodes(page).evaluateAll((els) =>
    els.map((el) => el.getAttribute('data-node-name')),
  );
  expect(names.sort()).toEqual([DEVICES[1], 'data', 'data-file'].sort());
});

test('exports a .dot file that graphviz accepts, in render_block_graph.py form', async ({
  page,
  served,
}) => {
  await openGraph(page, served.url);
  const download = page.waitForEvent('download');
  await page.getByText('Save picture').click();
  await page.getByRole('button', { name: 'Export DOT' }).click();
  const path = await (await download).path();
  const dot = readFileSync(path, 'utf8');
  expect(dot).toContain('"drv:os-top" [label="os-top [qcow2]" shape=ellipse]');
  expect(dot).toContain('[label="os-top-file [file]\\nos-top.qcow2" shape=ellipse]');
  expect(dot).toMatch(/"drv:os-top" -> "drv:os-mid" \[label="backing\\l_r__\\l_ru_\\l"\]/);
  expect(execFileSync('dot', ['-Tsvg'], { input: dot }).toString()).toContain('<svg');
});

test('exports the view as SVG and PNG', async ({ page, served }) => {
  await openGraph(page, served.url);
  const svgDownload = page.waitForEvent('download');
  await page.getByText('Save picture').click();
  await page.getByRole('button', { name: 'Export SVG' }).click();
  const svg = readFileSync(await (await svgDownload).path(), 'utf8');
  expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
  for (const name of ['os-top', 'os-base-file', 'logs-throttle', 'vda'])
    expect(svg).toContain(`>${name}</text>`);
  const pngDownload = page.waitForEvent('download');
  await page.getByText('Save picture').click();
  await page.getByRole('button', { name: 'Export PNG' }).click();
  const png = readFileSync(await (await pngDownload).path());
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  expect(png.length).toBeGreaterThan(10_000);
});

test('a mirror started from a second session appears live and goes on completion', async ({
  page,
  served,
  qemu,
}) => {
  await openGraph(page, served.url);
  const still = [...demoNodeNames, ...DEVICES];
  const before = await boxesOf(page, still);

  await createImage({ path: join(qemu.dir, 'e2e-mirror.qcow2'), format: 'qcow2', size: '256M' });
  await qemu.direct.execute('blockdev-add', {
    driver: 'qcow2',
    'node-name': 'e2e-mirror',
    file: { driver: 'file', filename: join(qemu.dir, 'e2e-mirror.qcow2') },
  });
  const ready = qemu.direct.waitForEvent(
    (e) => e.event === 'BLOCK_JOB_READY' && e.data?.device === 'e2e-m',
  );
  const started = Date.now();
  await qemu.direct.execute('blockdev-mirror', {
    'job-id': 'e2e-m',
    device: 'os-top',
    target: 'e2e-mirror',
    sync: 'full',
  });
  const job = page.locator('[data-testid="job-node"][data-job-id="e2e-m"]');
  const filter = blockNodes(page).filter({ hasText: 'mirror_top' });
  await expect(job).toBeVisible();
  await expect(filter).toBeVisible();
  // Measured, not asserted (speed belongs to the benchmarks): event → DOM latency.
  test.info().annotations.push({
    type: 'mirror appeared after (ms)',
    description: String(Date.now() - started),
  });
  await expect(nodeNamed(page, 'e2e-mirror')).toBeVisible();
  expect(await boxesOf(page, still)).toEqual(before);

  await ready;
  const gone = qemu.direct.waitForEvent(
    (e) => e.event === 'JOB_STATUS_CHANGE' && e.data?.id === 'e2e-m' && e.data.status === 'null',
  );
  await qemu.direct.execute('job-complete', { id: 'e2e-m' });
  await gone;
  await expect(job).toHaveCount(0);
  await expect(filter).toHaveCount(0);
  // After the pivot vda uses the mirror target; the old source stays (monitor-owned).
  await expect(nodeNamed(page, 'os-top')).toBeVisible();
  expect(await boxesOf(page, still)).toEqual(before);
});

test('an export deleted from a second session leaves the open page', async ({
  page,
  served,
  qemu,
}) => {
  await qemu.direct.execute('nbd-server-start', {
    addr: { type: 'unix', data: { path: join(qemu.dir, 'e2e-nbd.sock') } },
  });
  await qemu.direct.execute('block-export-add', {
    type: 'nbd',
    id: 'e2e-exp',
    'node-name': 'data',
  });
  // block-export-add emits no event; this page load is what reads it.
  await openGraph(page, served.url);
  const exportNode = nodeNamed(page, 'e2e-exp');
  await expect(exportNode).toBeVisible();
  await expect(nodeNamed(page, 'data')).toContainText('export e2e-exp');
  await qemu.direct.execute('block-export-del', { id: 'e2e-exp' });
  await expect(exportNode).toHaveCount(0);
  await expect(nodeNamed(page, 'data')).not.toContainText('export e2e-exp');
  await qemu.direct.execute('nbd-server-stop');
});

test('file and backing file names from disk images render as text', async ({
  page,
  served,
  qemu,
}) => {
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  const evil = join(qemu.dir, EVIL);
  await createImage({ path: evil, format: 'raw', size: '1M' });
  const overlay = join(qemu.dir, 'evil-top.qcow2');
  await createImage({
    path: overlay,
    format: 'qcow2',
    size: '1M',
    backing: { path: evil, format: 'raw' },
  });
  await qemu.direct.execute('blockdev-add', {
    driver: 'qcow2',
    'node-name': 'evil-top',
    file: { driver: 'file', filename: overlay },
  });
  // blockdev-add emits no event, so this page load is what reads the new nodes.
  await openGraph(page, served.url);
  await expect(page.getByText(EVIL).first()).toBeVisible();
  await nodeNamed(page, 'evil-top').click();
  const details = page.getByRole('complementary', { name: 'Node details' });
  await expect(details.getByText(evil, { exact: true })).toBeVisible();
  await expect(page.locator('img[src="x"]')).toHaveCount(0);
  expect(dialogs).toEqual([]);
});

test.describe('a 1,000-node graph', () => {
  const shape = { devices: 20, layers: 25 };
  let big: TestQemu;
  let bigServed: Served;
  test.beforeAll(async () => {
    test.setTimeout(180_000);
    big = await startTestQemu({
      prepare: (dir) => prepareLargeGraph(dir, shape),
      args: (dir) => largeGraphArgs(dir, shape),
    });
    bigServed = await startBlockscope(['serve', '--target', `big=unix:${big.qmpSocket}`]);
  });
  test.afterAll(async () => {
    await bigServed?.stop();
    await big?.stop();
  });

  test('is drawn and stays interactive: pan, zoom and select', async ({ page }) => {
    const started = Date.now();
    await page.goto(bigServed.url);
    const graph = page.getByRole('region', { name: 'Block graph' });
    const count = largeGraphNodeCount(shape);
    await expect(graph.getByRole('status')).toHaveText(`${count} nodes`, { timeout: 60_000 });
    test.info().annotations.push({
      type: `page load to ${count} nodes laid out (ms)`,
      description: String(Date.now() - started),
    });
    const viewport = page.locator('.react-flow__viewport');
    const transform = () => viewport.evaluate((el) => (el as HTMLElement).style.transform);

    // Pans while fitted (every card on screen, drawn as a box) and reports the frame times seen;
    // what the figures must be is the bench's business, not this test's.
    const fitted = await transform();
    // A drag that starts on a card moves the card: start on bare canvas, as an operator would.
    const centre = await bareCanvasPoint(page);
    await page.evaluate(() => {
      const w = window as unknown as { frames_: number[]; framing: boolean };
      w.frames_ = [];
      w.framing = true;
      const tick = (t: number) => {
        w.frames_.push(t);
        if (w.framing) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    await page.mouse.move(centre.x, centre.y);
    await page.mouse.down();
    for (let i = 1; i <= 60; i++) await page.mouse.move(centre.x + 3 * i, centre.y + i);
    await page.mouse.up();
    const frames = await page.evaluate(() => {
      const w = window as unknown as { frames_: number[]; framing: boolean };
      w.framing = false;
      return w.frames_.slice(1).map((t, i) => t - w.frames_[i]!);
    });
    await expect.poll(transform).not.toBe(fitted);
    expect(frames.length).toBeGreaterThan(0);
    const sorted = [...frames].sort((a, b) => a - b);
    const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
    test.info().annotations.push({
      type: `frame time panning ${count} nodes fitted, p50 / p95 (ms)`,
      description: `${at(0.5).toFixed(1)} / ${at(0.95).toFixed(1)} over ${frames.length} frames`,
    });

    const zoomedOut = await transform();
    await page.getByRole('button', { name: 'Zoom In' }).click();
    await expect.poll(transform).not.toBe(zoomedOut);

    const beforePan = await transform();
    const start = await bareCanvasPoint(page);
    await page.mouse.move(start.x, start.y);
    await page.mouse.down();
    await page.mouse.move(start.x + 120, start.y - 60, { steps: 5 });
    await page.mouse.up();
    await expect.poll(transform).not.toBe(beforePan);

    await page.getByRole('searchbox', { name: 'Search nodes' }).fill('d7-l24');
    await page.getByRole('searchbox', { name: 'Search nodes' }).press('Enter');
    const node = page.locator('[data-testid="block-node"][data-node-name="d7-l24"]');
    await node.click();
    const details = page.getByRole('complementary', { name: 'Node details' });
    await expect(details.getByRole('heading', { name: 'd7-l24' })).toBeVisible();
    await expect(details).toContainText('Backing depth24');
  });
});

test('after QEMU restarts behind the proxy, the open page shows the new graph', async ({
  page,
}) => {
  const first = await startTestQemu({
    kind: 'storage-daemon',
    args: ['--blockdev', 'null-co,node-name=before-restart,size=1048576'],
  });
  const server = await startBlockscope(['serve', '--target', `qsd=unix:${first.qmpSocket}`]);
  let second: TestQemu | undefined;
  try {
    await openGraph(page, server.url);
    await expect(nodeNamed(page, 'before-restart')).toBeVisible();
    // Same directory, so the same socket path: the proxy reconnects to the new process.
    first.direct.close();
    await first.process.stop();
    second = await startTestQemu({
      kind: 'storage-daemon',
      dir: first.dir,
      args: ['--blockdev', 'null-co,node-name=after-restart,size=1048576'],
    });
    await expect(nodeNamed(page, 'after-restart')).toBeVisible({ timeout: 30_000 });
    await expect(nodeNamed(page, 'before-restart')).toHaveCount(0);
  } finally {
    await server.stop();
    await (second ?? first).stop();
  }
});

test('a node added by another session through the proxy appears in the open page', async ({
  page,
  served,
}) => {
  await openGraph(page, served.url);
  const socket = new WebSocket(`${served.origin.replace(/^http/, 'ws')}/api/qmp/demo`, {
    headers: { Authorization: `Bearer ${served.token}` },
  });
  const replies: Record<string, unknown>[] = [];
  socket.on('message', (data) => replies.push(JSON.parse(String(data)) as Record<string, unknown>));
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const reply = async (id: string) => {
    await expect.poll(() => replies.some((r) => r.id === id)).toBe(true);
    return replies.find((r) => r.id === id)!;
  };
  try {
    socket.send(JSON.stringify({ execute: 'qmp_capabilities', id: 'caps' }));
    await reply('caps');
    const add = { driver: 'null-co', 'node-name': 'from-script', size: 1048576 };
    socket.send(JSON.stringify({ execute: 'blockdev-add', arguments: add, id: 'add' }));
    expect(await reply('add')).toMatchObject({ return: {} });
    await expect(nodeNamed(page, 'from-script')).toBeVisible();
    socket.send(
      JSON.stringify({
        execute: 'blockdev-del',
        arguments: { 'node-name': 'from-script' },
        id: 'del',
      }),
    );
    expect(await reply('del')).toMatchObject({ return: {} });
    await expect(nodeNamed(page, 'from-script')).toHaveCount(0);
  } finally {
    socket.close();
  }
});
