// Writes docs/benchmarks.md from a run: the figures, the machine, the QEMU, and what each means.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { format, resolveConfig } from 'prettier';
import { fmt, type BenchContext } from './report.ts';

/** Written by hand after looking at a run; kept when the rest of the file is regenerated. */
const HAND_WRITTEN = '## Why goals are missed';

function handWritten(path: string): string[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'utf8');
  const start = text.indexOf(HAND_WRITTEN);
  if (start < 0) return [];
  const end = text.indexOf('\n## ', start + HAND_WRITTEN.length);
  return [text.slice(start, end < 0 ? undefined : end).trimEnd(), ''];
}

const MEANING: [prefix: string, text: string][] = [
  [
    'fleet.',
    'One server watching 200 targets (qemu-storage-daemon processes found by one --target-dir): how long the fleet page takes from being opened until every target is listed with its counts, beside one GET /api/fleet from Node; what the server costs in memory and CPU with the page open; and how many QMP commands it writes to all targets together, which must be 0 while nothing runs (the counts are read once per connection and after changes) and one poll (query-jobs + query-block-jobs) per second for each target with a job. The reads a /metrics scrape causes itself (one query-blockstats per target) are left out of the command rates.',
  ],
  [
    'proxy.',
    "How much the proxy costs compared with talking to QEMU's monitor socket directly. The throughput ratio is the share of QEMU's own command rate a pipelining script or page still gets through the proxy (1 = no cost); the added latency is what one command waits longer when sent on its own (the difference of the percentiles, so p99 can come out below p50). The ledger must be 0: a lost reply hangs a page, a misrouted one would show one browser another browser's answer. Refusals as overloaded must be 0 too: the clients write every command at once, as a pipelining script does, and the proxy stops reading a session at its share of pending commands instead of refusing (a refusal is a reply, but not an answer, so it is counted apart from the ledger).",
  ],
  [
    'events.',
    'How soon a QEMU event (a job changing state) reaches every open page, against a plain monitor connection that gets the same event straight from QEMU. Missed events must be 0: a page that misses one shows a stale job.',
  ],
  [
    'graph.',
    'How long a block graph takes before a user sees it. In Node: building the model and our layered layout (src/features/block-graph/layout), beside graphviz `dot -Tsvg` on the same graph written the way render_block_graph.py writes it; and the quality of both drawings, measured the same way (bench/graph-quality.ts): edge crossings with edges drawn straight from parent to child, the width / height of the drawing, and its area as a multiple of the area of the nodes themselves (lower is denser). In Chromium: from the last graph reply arriving at the page to the first frame with the graph drawn (layout runs in a worker), and the time between frames while the user drags the view (16.7 ms is a smooth 60 frames a second; 80 ms is visibly jerky).',
  ],
  [
    'jobs.',
    "How long after QEMU reports a job change (QEMU's own event timestamp) the Jobs panel's DOM shows the new status words, beside the same event's arrival at a plain monitor connection.",
  ],
  [
    'schema.',
    "How long the page needs to understand the running QEMU's command set (index) and to prepare the form of every command, beside parsing the same schema reply. Forms are built lazily; fully expanded is the worst case, not what a user waits for.",
  ],
  [
    'page.',
    "What a user downloads before seeing the dashboard: the bytes Chromium's Resource Timing says it received on a cold load (the server sends brotli copies made at build time), beside the same files gzipped here; what it has received once the graph is drawn (the layout worker included); and how soon the first content is painted, beside loading a static file from the same server.",
  ],
  [
    'memory.',
    'What the proxy (resident set of the `blockscope serve` process, compiled JavaScript; fresh and idle beside the same sources run through the tsx loader) and the page (JavaScript heap after garbage collection) cost while left open.',
  ],
];

export async function writeBenchDoc(
  path: string,
  ctx: BenchContext,
  summary: {
    qemu: string;
    machine: string;
    seconds: number;
    load: { start: number; end: number };
    missed: string[];
  },
): Promise<void> {
  const lines = [
    '# Benchmarks',
    '',
    'Reproduce with `npm run bench` (it runs the same install step as `npm test`).',
    '`npm run bench -- --write-doc` also rewrites this file from the run, keeping the hand-written',
    '"Why goals are missed" part.',
    'Every timing is shown beside a baseline measured in the same run, because absolute times drift',
    'on shared machines; tests never assert times. The run ends with one JSON line holding every',
    'figure, for scripts.',
    '',
    `Last run: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, QEMU ${summary.qemu}, ${summary.machine}, took ${summary.seconds} s. One-minute load average ${summary.load.start.toFixed(1)} at the start and ${summary.load.end.toFixed(1)} at the end: the cores are shared with whatever else runs, and the proxy, QEMU, Chromium and the benchmark's own clients all run on them together.`,
    '',
    '| figure | value | baseline (same run) | ratio | goal |',
    '|---|---|---|---|---|',
    ...ctx.rows.map(
      (r) =>
        `| ${r.label} | ${fmt(r.value)} ${r.unit} | ${r.baseline ? `${r.baseline.label}: ${fmt(r.baseline.value)} ${r.baseline.unit}` : ''} | ${r.ratio !== undefined ? fmt(r.ratio) : ''} | ${r.goal ? `${r.goal} — ${r.met ? 'met' : '**missed**'}` : ''} |`,
    ),
    '',
    '## What the figures mean for a user',
    '',
    ...MEANING.filter(([prefix]) => ctx.rows.some((r) => r.key.startsWith(prefix))).map(
      ([prefix, text]) => `- **${prefix.slice(0, -1)}**: ${text}`,
    ),
    '',
    ...(ctx.notes.length
      ? ['## Notes from the run', '', ...ctx.notes.map((n) => `- ${n}`), '']
      : []),
    ...(summary.missed.length
      ? ['## Goals missed in this run', '', ...summary.missed.map((k) => `- \`${k}\``), '']
      : []),
    ...handWritten(path),
  ];
  // Formatted the way `npx prettier --write` would, so regenerating leaves no style diff.
  const options = (await resolveConfig(path)) ?? {};
  writeFileSync(path, await format(lines.join('\n'), { ...options, filepath: path }));
}
