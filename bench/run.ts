// `npm run bench`: every figure beside a baseline from the same run, then one JSON line.
// Uses the real QEMU from the test harness and Debian's Chromium. Nothing here asserts a time.
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDemoImages, demoQemuArgs } from '../proxy/demo-vm.ts';
import { startBlockscope } from '../test/harness/blockscope.ts';
import { startTestQemu } from '../test/harness/qemu.ts';
import { benchPage } from './page.bench.ts';
import { benchProxy } from './proxy.bench.ts';
import { createContext } from './report.ts';
import { writeBenchDoc } from './write-doc.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ctx = createContext();
const started = Date.now();

const qemu = await startTestQemu({
  prepare: buildDemoImages,
  args: demoQemuArgs,
  extraMonitors: 1,
});
const served = await startBlockscope(['serve', '--target', `demo=unix:${qemu.qmpSocket}`]);
try {
  const version = await qemu.direct.execute<{
    qemu: { major: number; minor: number; micro: number };
    package: string;
  }>('query-version');
  const qemuVersion = `${version.qemu.major}.${version.qemu.minor}.${version.qemu.micro} (${version.package.trim()})`;
  process.stdout.write(
    `Blockscope benchmarks — QEMU ${qemuVersion}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB\n\n`,
  );

  // A graph of a few hundred nodes for the heavy query.
  for (let i = 0; i < 300; i++) {
    await qemu.direct.execute('blockdev-add', {
      driver: 'null-co',
      'node-name': `bench${i}`,
      size: 1048576,
    });
  }

  await benchProxy(ctx, served, 'demo', qemu.extraSockets[0]!, [
    { name: 'query-version', command: 'query-version', count: 2000 },
    {
      name: 'query-named-block-nodes(311 nodes)',
      command: 'query-named-block-nodes',
      args: { flat: true },
      count: 200,
    },
  ]);
  await benchPage(ctx, join(root, 'dist'), served.url);

  const figures = Object.fromEntries(
    ctx.rows.map((r) => [
      r.key,
      r.ratio !== undefined ? { value: r.value, ratio: r.ratio } : r.value,
    ]),
  );
  const summary = {
    qemu: qemuVersion,
    cores: cpus().length,
    seconds: Math.round((Date.now() - started) / 1000),
    missed: ctx.rows.filter((r) => r.met === false).map((r) => r.key),
    figures,
  };
  if (process.argv.includes('--write-doc'))
    writeBenchDoc(join(root, 'docs', 'benchmarks.md'), ctx, summary);
  process.stdout.write(`\n${JSON.stringify(summary)}\n`);
} finally {
  await served.stop();
  await qemu.stop();
}
