// Writes docs/benchmarks.md from a run: the figures, the machine, the QEMU, and what each means.
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import type { BenchContext } from './report.ts';

const MEANING: [prefix: string, text: string][] = [
  [
    'proxy.',
    "How much the proxy costs compared with talking to QEMU directly. A ratio near 1 means pages and scripts see QMP at the speed QEMU answers; the ledger must be 0 — a lost or misrouted reply would show one browser another browser's answer.",
  ],
  ['events.', 'How quickly a QEMU event (a job changing state) reaches every open page.'],
  [
    'graph.',
    'How long a large block graph takes to model and lay out before it can be drawn, compared with graphviz drawing the same graph the way render_block_graph.py writes it.',
  ],
  ['jobs.', 'How long after QEMU reports a job change the Jobs panel shows it.'],
  [
    'schema.',
    "How long the page needs to understand the running QEMU's command set before forms can be built.",
  ],
  [
    'page.',
    'What a user downloads before seeing the dashboard, and how soon something is painted.',
  ],
  ['memory.', 'What the proxy and the page cost in memory while left running.'],
];

export function writeBenchDoc(
  path: string,
  ctx: BenchContext,
  summary: { qemu: string; seconds: number; missed: string[] },
): void {
  const fmt = (n: number) =>
    Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 1 ? n.toFixed(2) : n.toPrecision(3);
  const lines = [
    '# Benchmarks',
    '',
    'Reproduce with `npm run bench` (after `npm test` has installed everything). Every timing is',
    'shown beside a baseline measured in the same run, because absolute times drift on shared machines;',
    'tests never assert times.',
    '',
    `Last run: ${new Date().toISOString().slice(0, 10)}, QEMU ${summary.qemu}, ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, took ${summary.seconds} s.`,
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
      ? ['## Goals missed', '', ...summary.missed.map((k) => `- \`${k}\``), '']
      : []),
  ];
  writeFileSync(path, lines.join('\n'));
}
