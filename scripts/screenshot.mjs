#!/usr/bin/env node
// Takes a Chromium screenshot of a page, for looking at what a change did.
//   node scripts/screenshot.mjs URL OUT.png [--dark] [--wait-ms N] [--width W --height H]
import { chromium } from '@playwright/test';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    dark: { type: 'boolean' },
    'wait-ms': { type: 'string', default: '1500' },
    width: { type: 'string', default: '1440' },
    height: { type: 'string', default: '900' },
  },
});
const [url, out] = positionals;
if (!url || !out) {
  console.error('usage: node scripts/screenshot.mjs URL OUT.png [--dark] [--wait-ms N]');
  process.exit(2);
}
const browser = await chromium.launch({
  executablePath: process.env.BLOCKSCOPE_CHROMIUM ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
const page = await browser.newPage({
  viewport: { width: Number(values.width), height: Number(values.height) },
  colorScheme: values.dark ? 'dark' : 'light',
});
page.on('console', (m) => console.error(`console.${m.type()}: ${m.text()}`));
page.on('pageerror', (e) => console.error(`pageerror: ${e.message}`));
await page.goto(url);
await page.waitForTimeout(Number(values['wait-ms']));
await page.screenshot({ path: out });
await browser.close();
