import { chromium } from '@playwright/test';
const url = process.argv[2];
const b = await chromium.launch({ executablePath: '/usr/bin/chromium' });
for (const [w, h] of [[1600, 1000], [1024, 700]]) {
  for (const scheme of ['light', 'dark']) {
    const p = await b.newPage({ viewport: { width: w, height: h }, colorScheme: scheme });
    await p.goto(url);
    await p.locator('[data-testid="block-node"]').first().waitFor();
    await p.waitForTimeout(1500);
    await p.screenshot({ path: `/tmp/s-${w}-${scheme}.png` });
    await p.locator('[data-testid="block-node"]').first().dispatchEvent('click');
    await p.waitForTimeout(800);
    await p.screenshot({ path: `/tmp/s-${w}-${scheme}-details.png` });
    await p.close();
  }
}
await b.close();
