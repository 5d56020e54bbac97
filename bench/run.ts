// `npm run bench`: every figure beside a baseline from the same run, then one JSON line.
// Uses the real QEMU from the test harness and Debian's Chromium. Nothing here asserts a time.
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDemoImages, demoQemuArgs } from '../proxy/demo-vm.ts';
import { startBlockscope } from '../test/harness/blockscope.ts';
import { startTestQemu } from '../test/harness/qemu.ts';
import { benchBrowserGraph } from './graph-browser.bench.ts';
import { benchJobsPanel } from './jobs-panel.bench.ts';
import { benchEvents } from './events.bench.ts';
import { benchFleet } from './fleet.bench.ts';
import { benchGraph } from './graph.bench.ts';
import { withLargeGraph } from './large-graph.ts';
import { benchIdleRss, benchProxyMemory } from './memory.bench.ts';
import { benchPage } from './page.bench.ts';
import { childPid } from './proc.ts';
import { benchProxy } from './proxy.bench.ts';
import { createContext } from './report.ts';
import { benchSchema } from './schema.bench.ts';
import { writeBenchDoc } from './write-doc.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ctx = createContext();
const started = Date.now();
const loadAtStart = loadavg()[0]!;
const section = (title: string) => process.stdout.write(`\n== ${title}\n`);
// `--only page,memory` (or `--only proxy`) runs just those parts (names: page, browser, schema,
// proxy, events, memory, fleet, graph), for measuring one thing without the whole run; it cannot rewrite
// the doc.
const onlyAt = process.argv.findIndex((arg) => arg === '--only' || arg.startsWith('--only='));
const onlyArg = onlyAt < 0 ? undefined : process.argv[onlyAt]!;
const onlyList = onlyArg?.startsWith('--only=')
  ? onlyArg.slice('--only='.length)
  : process.argv[onlyAt + 1];
const only = onlyAt >= 0 ? (onlyList ?? '').split(',').filter(Boolean) : null;
const want = (part: string) => !only || only.includes(part);
if (only && process.argv.includes('--write-doc')) {
  process.stderr.write('bench: --write-doc needs the whole run, not --only\n');
  process.exit(2);
}

const qemu = await startTestQemu({
  prepare: buildDemoImages,
  args: demoQemuArgs,
  // [0]: the direct baseline for commands; [1]: a listener for event baselines; [2]: the fresh
  // servers whose idle memory is measured.
  extraMonitors: 3,
});
const demoTarget = `demo=unix:${qemu.qmpSocket}`;
const served = await startBlockscope(['serve', '--target', demoTarget]);
try {
  const version = await qemu.direct.execute<{
    qemu: { major: number; minor: number; micro: number };
    package: string;
  }>('query-version');
  const qemuVersion = `${version.qemu.major}.${version.qemu.minor}.${version.qemu.micro} (${version.package.trim()})`;
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`;
  process.stdout.write(`Blockscope benchmarks — QEMU ${qemuVersion}, ${machine}\n`);

  if (want('page')) {
    section('Page');
    await benchPage(ctx, join(root, 'dist'), served.url);
  }
  if (want('browser')) {
    section('Graph in Chromium (1,000-node QEMU) and Jobs panel');
    await withLargeGraph((bigUrl) => benchBrowserGraph(ctx, bigUrl, served.url));
    await benchJobsPanel(ctx, served.url, qemu.direct, qemu.extraSockets[1]!);
  }
  if (want('schema')) {
    section('Schema');
    benchSchema(ctx, await qemu.direct.execute('query-qmp-schema'));
  }

  // A graph of a few hundred nodes for the heavy query (added after the page figures, which use
  // the demo graph as their small baseline).
  const extra = 300;
  for (let i = 0; i < extra; i++) {
    await qemu.direct.execute('blockdev-add', {
      driver: 'null-co',
      'node-name': `bench${i}`,
      size: 1048576,
    });
  }
  const named = await qemu.direct.execute<unknown[]>('query-named-block-nodes', { flat: true });
  if (want('proxy')) {
    section('Proxy');
    await benchProxy(
      ctx,
      served,
      'demo',
      qemu.extraSockets[0]!,
      [
        { name: 'query-version', command: 'query-version', count: 2000, window: Infinity },
        {
          name: `query-named-block-nodes(${named.length} nodes)`,
          command: 'query-named-block-nodes',
          args: { flat: true },
          count: 200,
          window: Infinity,
        },
      ],
      childPid(demoTarget),
    );
  }
  if (want('events')) {
    section('Events');
    await benchEvents(ctx, served, 'demo', qemu.direct, qemu.extraSockets[1]!);
  }
  if (want('memory')) {
    section('Memory');
    await benchIdleRss(ctx, root, `demo=unix:${qemu.extraSockets[2]!}`);
    await benchProxyMemory(ctx, served, 'demo', demoTarget);
  }
  if (want('fleet')) {
    section('Fleet: 200 qemu-storage-daemon targets');
    await benchFleet(ctx);
  }
  if (want('graph')) {
    section('Graph model + layout (Node) vs graphviz');
    // 290 and 310 straddle the layout's switch to its faster large-graph mode at 300 nodes.
    await benchGraph(ctx, [10, 100, 290, 1000, 5000]);
  }

  const figures = Object.fromEntries(
    ctx.rows.map((r) => [
      r.key,
      r.ratio !== undefined ? { value: r.value, ratio: r.ratio } : r.value,
    ]),
  );
  const summary = {
    qemu: qemuVersion,
    machine,
    seconds: Math.round((Date.now() - started) / 1000),
    load: { start: loadAtStart, end: loadavg()[0]! },
    missed: ctx.rows.filter((r) => r.met === false).map((r) => r.key),
    figures,
  };
  if (process.argv.includes('--write-doc'))
    await writeBenchDoc(join(root, 'docs', 'benchmarks.md'), ctx, summary);
  process.stdout.write(`\n${JSON.stringify(summary)}\n`);
} finally {
  await served.stop();
  await qemu.stop();
}
