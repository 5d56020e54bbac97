// The e2e fixture: a real QEMU with the demo's block graph (from the shared harness) served by
// the real `bin/blockscope serve`, one per test file. Tests get the page URL with its token and a
// direct QMP connection to check effects outside the UI.
import { test as base } from '@playwright/test';
import { buildDemoImages, demoQemuArgs } from '../proxy/demo-vm.ts';
import { startTestQemu, type TestQemu } from '../test/harness/qemu.ts';

export { startBlockscope, type Served } from '../test/harness/blockscope.ts';
import type { Served } from '../test/harness/blockscope.ts';
import { startBlockscope } from '../test/harness/blockscope.ts';

export const test = base.extend<object, { qemu: TestQemu; served: Served }>({
  qemu: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const qemu = await startTestQemu({ prepare: buildDemoImages, args: demoQemuArgs });
      await use(qemu);
      await qemu.stop();
    },
    { scope: 'worker' },
  ],
  served: [
    async ({ qemu }, use) => {
      const served = await startBlockscope(['serve', '--target', `demo=unix:${qemu.qmpSocket}`]);
      await use(served);
      await served.stop();
    },
    { scope: 'worker' },
  ],
});

export { expect } from '@playwright/test';
