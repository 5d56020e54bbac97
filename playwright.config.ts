import { defineConfig } from '@playwright/test';
import { installSpawnGuard } from './test/install-step/provided-programs.ts';

// The runner and every worker load this file: all of them may start only what the install step
// provides (test/install-step).
installSpawnGuard();

// Debian's Chromium, never a downloaded browser. The flags keep it off the (closed) network.
export const chromiumLaunch = {
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
};

export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: process.env.BLOCKSCOPE_PW_JSON
    ? [['list'], ['json', { outputFile: process.env.BLOCKSCOPE_PW_JSON }]]
    : [['list']],
  use: {
    browserName: 'chromium',
    headless: true,
    launchOptions: chromiumLaunch,
    screenshot: 'only-on-failure',
    trace: 'off',
  },
});
