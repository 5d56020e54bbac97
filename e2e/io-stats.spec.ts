// Live I/O in Chromium against a real QEMU (the chain on vda, the raw `data` node on vdb): the
// node details show throughput and IOPS that follow guest-like writes through the device, and a
// throttle's limit beside a measured rate that stays within it. The true rates are read from QEMU
// on the test's own monitor.
import type { Locator } from '@playwright/test';
import { deviceCounters, steadyWrites } from '../test/fixtures/io/guest-io.ts';
import { openGraph, showDetails, VDB } from '../test/fixtures/operations/e2e-helpers.ts';
import { expect, test } from '../test/fixtures/operations/e2e-fixture.ts';
import type { TestQemu } from '../test/harness/qemu.ts';

const KiB = 1024;
const MiB = 1024 * KiB;

/** A figure of the I/O section's averages, as the number its <data> element carries. */
async function figure(io: Locator, term: string): Promise<number> {
  const value = await io
    .locator(`dl[aria-label^="Averages"] dt:text-is("${term}") + dd data`)
    .getAttribute('value');
  return Number(value);
}

/** The device's write rate over `ms`, from QEMU's own counters. */
async function trueWriteRate(vm: TestQemu, ms: number): Promise<{ bps: number; iops: number }> {
  const a = await deviceCounters(vm.direct, VDB);
  const from = Date.now();
  await expect
    .poll(() => Date.now() - from, { timeout: ms + 5_000, intervals: [250] })
    .toBeGreaterThanOrEqual(ms);
  const b = await deviceCounters(vm.direct, VDB);
  const seconds = (Date.now() - from) / 1000;
  return {
    bps: (b.wr_bytes - a.wr_bytes) / seconds,
    iops: (b.wr_operations - a.wr_operations) / seconds,
  };
}

test('node details show live throughput and IOPS that follow guest writes', async ({
  page,
  served,
  vm,
}) => {
  await openGraph(page, served.url);
  const details = await showDetails(page, 'data');
  const io = details.getByRole('region', { name: 'I/O' });
  await expect(io.getByText('Waiting for I/O statistics…')).toHaveCount(0);
  expect(await figure(io, 'Write throughput')).toBe(0);
  await expect(io.getByText('No throttle limits apply.')).toBeVisible();

  // About 5 MiB/s in 256 KiB writes: one every 50 ms at most, four in flight at most.
  const writes = steadyWrites(vm.direct, VDB, {
    size: 256 * KiB,
    span: 8 * MiB,
    start: 4 * MiB,
    inFlight: 4,
    perTick: 1,
  });
  try {
    const truth = await trueWriteRate(vm, 5_000);
    expect(truth.iops).toBeGreaterThan(2);
    // The page's 5 s averages come to what QEMU counted (the windows differ by up to a second).
    await expect
      .poll(() => figure(io, 'Write throughput'), { timeout: 15_000 })
      .toBeGreaterThan(truth.bps * 0.6);
    expect(await figure(io, 'Write throughput')).toBeLessThan(truth.bps * 1.4);
    const iops = await figure(io, 'Write IOPS');
    expect(iops).toBeGreaterThan(truth.iops * 0.6);
    expect(iops).toBeLessThan(truth.iops * 1.4);
    expect(await figure(io, 'Read throughput')).toBe(0);
    // The node's card shows the figures too, and the charts name what they draw.
    const card = page.locator('[data-testid="block-node"][data-node-name="data"]');
    await expect(card.getByTestId('io-figures')).toHaveText(/^W [\d.]+ [KM]iB\/s · \d+ IOPS$/);
    await expect(
      io.getByRole('img', {
        name: /^Throughput over the last minute: now read 0 B\/s, write [\d.]+ [KM]iB\/s$/,
      }),
    ).toBeVisible();
    await expect(
      io.getByRole('img', { name: /^IOPS over the last minute: now read 0 IOPS, write \d+ IOPS$/ }),
    ).toBeVisible();
  } finally {
    await writes.stop();
  }
  // The writes stop: the figures follow down to nothing.
  await expect.poll(() => figure(io, 'Write throughput'), { timeout: 15_000 }).toBe(0);
  expect(await figure(io, 'Write IOPS')).toBe(0);
  await expect(
    page.locator('[data-testid="block-node"][data-node-name="data"] [data-testid="io-figures"]'),
  ).toHaveText('no I/O');
});

test("a throttle's limit shows beside a measured rate that does not exceed it", async ({
  page,
  served,
  vm,
}) => {
  const limit = 2 * MiB;
  // A write limit on vdb's BlockBackend, set before the page reads the graph.
  await vm.direct.execute('block_set_io_throttle', {
    id: VDB,
    bps: 0,
    bps_rd: 0,
    bps_wr: limit,
    iops: 0,
    iops_rd: 0,
    iops_wr: 0,
  });
  await openGraph(page, served.url);
  const details = await showDetails(page, 'data');
  const io = details.getByRole('region', { name: 'I/O' });
  const meterName = 'Measured write throughput against the limit of vdb (block_set_io_throttle)';
  const meter = io.getByRole('meter', { name: meterName });
  await expect(meter).toHaveAttribute('max', String(limit));

  // Offered at up to 20 MiB/s, ten times the limit; eight requests always waiting in the throttle.
  const request = 256 * KiB;
  const writes = steadyWrites(vm.direct, VDB, {
    size: request,
    span: 8 * MiB,
    start: 4 * MiB,
    inFlight: 8,
    perTick: 4,
  });
  try {
    // QEMU itself holds the device to the limit ...
    const truth = await trueWriteRate(vm, 6_000);
    expect(truth.bps).toBeGreaterThan(limit * 0.8);
    expect(truth.bps).toBeLessThan(limit * 1.1);
    // ... and the page shows the measured rate at the limit and not above what the throttle lets
    // through. QEMU's throttle (its leaky bucket, docs/throttle.txt) admits a request while the
    // bucket holds less than a tenth of a second's worth, so over any window the device can run
    // ahead of the limit by that tenth plus the one request admitted last. The page's window is
    // "the last 5 s" of once-a-second reads, so it spans at least 4 s; 1% more is for the ends
    // being the proxy's read times rather than QEMU's.
    const ahead = limit / 10 + request;
    const ceiling = (limit + ahead / 4) * 1.01;
    const item = io
      .getByRole('listitem')
      .filter({ has: page.getByRole('meter', { name: meterName }) });
    const measured = async () => Number(await item.locator('data').first().getAttribute('value'));
    await expect.poll(measured, { timeout: 15_000 }).toBeGreaterThan(limit * 0.8);
    const shown = await measured();
    expect(shown).toBeLessThanOrEqual(ceiling);
    expect(Number(await item.locator('data').nth(1).getAttribute('value'))).toBe(limit);
    await expect(item).toContainText(/write throughput: [\d.]+ [KM]iB\/s of 2 MiB\/s limit/);
    expect(Number(await meter.getAttribute('value'))).toBe(shown);
    // The chart draws the limit as a line beside the measured throughput.
    await expect(
      io.getByRole('img', { name: /^Throughput over .*; write throughput limit 2 MiB\/s$/ }),
    ).toBeVisible();
  } finally {
    await writes.stop();
  }
});

test('latency histograms are turned on from node details, drawn, and turned off after asking', async ({
  page,
  served,
  vm,
}) => {
  const histogramOf = async () => {
    const all = await vm.direct.execute<
      {
        qdev?: string;
        stats: { wr_latency_histogram?: { boundaries: number[]; bins: number[] } };
      }[]
    >('query-blockstats');
    return all.find((e) => e.qdev === VDB)?.stats.wr_latency_histogram;
  };
  await openGraph(page, served.url);
  const details = await showDetails(page, 'data');
  const io = details.getByRole('region', { name: 'I/O' });
  await expect(io.getByText('Waiting for I/O statistics…')).toHaveCount(0);
  expect(await histogramOf()).toBeUndefined();

  await io.getByRole('button', { name: 'Turn on' }).click();
  await expect.poll(histogramOf).toMatchObject({
    boundaries: [10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000],
  });
  const writes = steadyWrites(vm.direct, VDB, {
    size: 64 * KiB,
    span: 4 * MiB,
    start: 4 * MiB,
    inFlight: 2,
    perTick: 1,
  });
  await expect
    .poll(async () => (await histogramOf())?.bins.reduce((a, b) => a + b, 0) ?? 0)
    .toBeGreaterThan(10);
  await writes.stop();
  // Drawn from what QEMU counted: one row per bucket, the write counts equal to QEMU's bins.
  const table = io.getByRole('table', { name: 'Latency histogram of vdb' });
  const bins = (await histogramOf())!.bins;
  await expect
    .poll(async () => {
      const cells = await table.getByRole('row').locator('td:nth-child(3)').allTextContents();
      return cells.map(Number);
    })
    .toEqual(bins);
  await expect(table.getByRole('rowheader')).toHaveText([
    '< 10 µs',
    '10 µs – 100 µs',
    '100 µs – 1 ms',
    '1 ms – 10 ms',
    '10 ms – 100 ms',
    '100 ms – 1 s',
    '≥ 1 s',
  ]);

  // Turning them off drops the counts: it asks first, and "Keep them" keeps them.
  await io.getByRole('button', { name: 'Turn off' }).click();
  const ask = io.getByRole('alertdialog', { name: 'Turn off the latency histograms of vdb?' });
  await expect(ask).toContainText('The counts collected so far are dropped.');
  await ask.getByRole('button', { name: 'Keep them' }).click();
  await expect(ask).toHaveCount(0);
  expect(await histogramOf()).toBeDefined();
  await io.getByRole('button', { name: 'Turn off' }).click();
  await ask.getByRole('button', { name: 'Yes, turn them off' }).click();
  await expect.poll(histogramOf).toBeUndefined();
  await expect(table).toHaveCount(0);
  await expect(io.getByRole('button', { name: 'Turn on' })).toBeVisible();
});
