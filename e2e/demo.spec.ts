import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { expect, startBlockscope, test } from './fixtures.ts';

test('the served dashboard renders in Chromium', async ({ page, served }) => {
  await page.goto(served.url);
  await expect(page.getByRole('heading', { name: 'Blockscope' })).toBeVisible();
  await expect(page.getByRole('complementary', { name: 'Jobs' })).toBeVisible();
});

test('`blockscope demo` prints one URL line, serves the page, and cleans up on SIGTERM', async ({
  page,
}) => {
  const before = new Set(readdirSync(tmpdir()).filter((n) => n.startsWith('blockscope-demo-')));
  const demo = await startBlockscope(['demo']);
  try {
    expect(demo.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]{43}$/);
    await page.goto(demo.url);
    await expect(page.getByRole('heading', { name: 'Blockscope' })).toBeVisible();
  } finally {
    await demo.stop();
  }
  const created = readdirSync(tmpdir()).filter(
    (n) => n.startsWith('blockscope-demo-') && !before.has(n),
  );
  expect(created.filter((n) => existsSync(`${tmpdir()}/${n}`))).toEqual([]);
});
