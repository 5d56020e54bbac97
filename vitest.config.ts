import { defineConfig } from 'vitest/config';

// Two projects: fast unit tests (no processes), and integration tests that start a real QEMU.
// A third, `soak` (test/soak: minutes of load and faults), exists only under `npm run test:soak`
// (BLOCKSCOPE_SOAK=1), so a plain `vitest run` in `npm test` never picks it up.
// Every test process may start only what the install step provides (test/install-step).
const SPAWN_GUARD = 'test/install-step/setup.ts';

const soak = process.env.BLOCKSCOPE_SOAK
  ? [
      {
        test: {
          name: 'soak',
          include: ['test/soak/**/*.test.ts'],
          environment: 'node',
          setupFiles: [SPAWN_GUARD],
          testTimeout: 600_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
    ]
  : [];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            'src/**/*.test.{ts,tsx}',
            'proxy/**/*.test.ts',
            'scripts/**/*.test.ts',
            'test/install-step/**/*.test.ts',
            'test/lint/**/*.test.ts',
          ],
          environment: 'node',
          setupFiles: [SPAWN_GUARD],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          setupFiles: [SPAWN_GUARD],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
      ...soak,
    ],
  },
});
