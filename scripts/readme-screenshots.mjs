#!/usr/bin/env node
// The README's pictures: the demo with a mirror running, at 1600×1000 and 1024×700, light and
// dark, written to docs/screenshots/ (and the first one to docs/screenshot.png, the README's
// lead picture). Needs a build (`npm run build`); starts its own demo on a free loopback port
// and stops it after.
//   node scripts/readme-screenshots.mjs
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import WebSocket from 'ws';

const root = join(import.meta.dirname, '..');
const out = join(root, 'docs', 'screenshots');
mkdirSync(out, { recursive: true });

const demo = spawn(
  process.execPath,
  [join(root, 'bin/blockscope'), 'demo', '--listen', '127.0.0.1:0'],
  {
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
const url = await new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error('no URL from the demo within 60 s')), 60_000);
  createInterface({ input: demo.stdout }).on('line', (line) => {
    const match = /^Blockscope: (\S+)$/.exec(line);
    if (match) {
      clearTimeout(timer);
      resolve(match[1]);
    }
  });
  demo.once('exit', (code) => reject(new Error(`the demo exited with ${code}`)));
});
const { host, hash } = new URL(url);
const token = new URLSearchParams(hash.slice(1)).get('token');

/** A slow mirror of vda into a scratch node, sent as any QMP client would (a bearer token). */
async function startMirror() {
  const ws = new WebSocket(`ws://${host}/api/qmp/demo`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  const replies = new Map();
  ws.on('message', (data) => {
    const message = JSON.parse(String(data));
    if (message.id !== undefined) replies.get(message.id)?.(message);
  });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  let next = 0;
  const execute = (command, args) =>
    new Promise((resolve, reject) => {
      const id = `shot-${next++}`;
      replies.set(id, (m) =>
        m.error ? reject(new Error(`${command}: ${m.error.desc}`)) : resolve(m.return),
      );
      ws.send(JSON.stringify({ execute: command, ...(args ? { arguments: args } : {}), id }));
    });
  await execute('qmp_capabilities');
  const nodes = await execute('query-named-block-nodes', { flat: true });
  const size = nodes.find((n) => n['node-name'] === 'os-top').image['virtual-size'];
  await execute('blockdev-add', { driver: 'null-co', 'node-name': 'mirror-dst', size });
  await execute('blockdev-mirror', {
    'job-id': 'mirror-vda',
    device: 'os-top',
    target: 'mirror-dst',
    sync: 'full',
    speed: 8 * 1024 * 1024,
  });
  return ws;
}

const browser = await chromium.launch({
  executablePath: process.env.BLOCKSCOPE_CHROMIUM ?? '/usr/bin/chromium',
});
try {
  const mirror = await startMirror();
  const shots = [];
  for (const [width, height] of [
    [1600, 1000],
    [1024, 700],
  ]) {
    for (const scheme of ['light', 'dark']) {
      const page = await browser.newPage({ viewport: { width, height }, colorScheme: scheme });
      await page.goto(url);
      await page.getByRole('article', { name: 'Job mirror-vda' }).waitFor();
      let name = `graph-${width}-${scheme}`;
      if (width < 1280) {
        // The narrow window as an operator would use it: the side panels folded into their
        // rail, a node's details open beside the graph.
        await page.getByRole('button', { name: 'Fold the side panels' }).click();
        await page.locator('[data-testid="block-node"][data-node-name="os-top"]').click();
        await page.getByRole('complementary', { name: 'Node details' }).waitFor();
        await page
          .getByRole('region', { name: 'Block graph' })
          .getByRole('button', { name: 'Zoom to fit' })
          .click();
        name = `details-${width}-${scheme}`;
      }
      // Let the rate settle and the fit's glide end (a picture, not a test).
      await page.waitForTimeout(5_000);
      const path = join(out, `${name}.png`);
      await page.screenshot({ path });
      shots.push(path);
      await page.close();
    }
  }
  copyFileSync(shots[0], join(root, 'docs', 'screenshot.png'));
  mirror.close();
  console.log(shots.join('\n'));
} finally {
  await browser.close();
  demo.kill('SIGTERM');
}
