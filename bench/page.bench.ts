// Page weight and first paint: what a user downloads before seeing anything, and how soon they do.
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from '@playwright/test';
import { chromiumLaunch } from '../playwright.config.ts';
import { receivedSoFar } from './page-transfer.ts';
import type { BenchContext } from './report.ts';

/** The scripts and styles index.html loads up front (not lazily imported chunks or workers). */
function initialAssets(dist: string): string[] {
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const refs = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map(
    (m) => m[1]!,
  );
  return refs.map((ref) => join(dist, ref));
}

export async function benchPage(ctx: BenchContext, dist: string, url: string): Promise<void> {
  const assets = initialAssets(dist);
  let js = 0;
  let css = 0;
  for (const file of assets) {
    const size = gzipSync(readFileSync(file), { level: 9 }).length;
    if (file.endsWith('.js')) js += size;
    else css += size;
  }
  // The build's files, not the .br/.gz copies beside them.
  const allAssets = readdirSync(join(dist, 'assets')).filter((f) => !/\.(br|gz)$/.test(f));
  ctx.add({
    key: 'page.initial_js_css_gzip_kb',
    label: 'Page: initial JS + CSS, gzipped',
    value: (js + css) / 1024,
    unit: 'KB',
    goal: '< 300 KB',
    met: js + css < 300 * 1024,
  });
  ctx.add({
    key: 'page.initial_js_gzip_kb',
    label:
      'Page: initial JS, gzipped (operation panels, Run command and the fleet page load later)',
    value: js / 1024,
    unit: 'KB',
    goal: '≤ 200 KB',
    met: js <= 200 * 1024,
  });
  ctx.note(
    `initial JS ${(js / 1024).toFixed(1)} KB + CSS ${(css / 1024).toFixed(1)} KB gzipped; ${allAssets.length} files in dist/assets`,
  );

  const browser = await chromium.launch(chromiumLaunch);
  try {
    // A cold load (fresh context, empty cache), up to the graph drawn, which needs the layout worker.
    const cold = await browser.newPage();
    await cold.goto(url);
    await cold.locator('.react-flow__node').first().waitFor();
    const transfers = await receivedSoFar(cold);
    await cold.close();
    const initialPaths = new Set(['/', ...assets.map((file) => `/${relative(dist, file)}`)]);
    const initial = transfers.filter((t) => initialPaths.has(t.path));
    const sum = (list: typeof transfers) => list.reduce((total, t) => total + t.bytes, 0);
    ctx.add({
      key: 'page.initial_transferred_kb',
      label: 'Page: bytes Chromium receives before first paint',
      value: sum(initial) / 1024,
      unit: 'KB',
      baseline: { label: 'initial JS + CSS gzipped', value: (js + css) / 1024, unit: 'KB' },
      ratio: sum(initial) / (js + css),
      goal: '≤ 250 KB',
      met: sum(initial) <= 250 * 1024,
    });
    ctx.add({
      key: 'page.graph_transferred_kb',
      label: 'Page: bytes Chromium receives until the graph is drawn',
      value: sum(transfers) / 1024,
      unit: 'KB',
    });
    const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
    ctx.note(
      `received (over the wire / as used): ${transfers
        .filter((t) => t.decodedBody > 1024)
        .map((t) => `${t.path} ${kb(t.bytes)} / ${kb(t.decodedBody)}`)
        .join(', ')}`,
    );

    const paints: number[] = [];
    const blank: number[] = [];
    for (let i = 0; i < 5; i++) {
      const page = await browser.newPage();
      await page.goto('about:blank');
      // Baseline: a static page from the same server, painted by the same browser.
      const start = Date.now();
      await page.goto(new URL('/favicon.svg', url).href);
      blank.push(Date.now() - start);
      await page.goto(url);
      await page.getByRole('heading', { name: 'Blockscope' }).waitFor();
      const fcp = await page.evaluate(() => {
        const entry = performance.getEntriesByName('first-contentful-paint')[0];
        return entry ? entry.startTime : NaN;
      });
      paints.push(fcp);
      await page.close();
    }
    const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
    const fcp = median(paints);
    const base = median(blank);
    ctx.add({
      key: 'page.first_contentful_paint_ms',
      label: 'Page: first contentful paint of the dashboard (median of 5)',
      value: fcp,
      unit: 'ms',
      baseline: { label: 'load of a static file', value: base, unit: 'ms' },
      ratio: base > 0 ? fcp / base : undefined,
      goal: '< 1500 ms on loopback',
      met: fcp < 1500,
    });
  } finally {
    await browser.close();
  }
}
