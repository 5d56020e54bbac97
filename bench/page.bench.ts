// Page weight and first paint: what a user downloads before seeing anything, and how soon they do.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from '@playwright/test';
import { chromiumLaunch } from '../playwright.config.ts';
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
  const allAssets = readdirSync(join(dist, 'assets'));
  ctx.add({
    key: 'page.initial_js_css_gzip_kb',
    label: 'Page: initial JS + CSS, gzipped',
    value: (js + css) / 1024,
    unit: 'KB',
    goal: '< 300 KB',
    met: js + css < 300 * 1024,
  });
  ctx.note(
    `initial JS ${(js / 1024).toFixed(1)} KB + CSS ${(css / 1024).toFixed(1)} KB gzipped; ${allAssets.length} files in dist/assets`,
  );

  const browser = await chromium.launch(chromiumLaunch);
  try {
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
