// Rows of a benchmark run: each figure is a ratio against a baseline from the same run, or a count.
export interface BenchRow {
  /** Stable key for the JSON line, e.g. "page.initial_js_gzip_kb". */
  key: string;
  label: string;
  value: number;
  unit: string;
  /** What the figure is compared with, measured in the same run. */
  baseline?: { label: string; value: number; unit: string };
  /** value / baseline (or baseline / value where stated in the label). */
  ratio?: number;
  goal?: string;
  /** Whether the goal is met; undefined when there is no goal. */
  met?: boolean;
}

export interface BenchContext {
  rows: BenchRow[];
  add(row: BenchRow): void;
  note(text: string): void;
  notes: string[];
}

export function createContext(): BenchContext {
  const rows: BenchRow[] = [];
  const notes: string[] = [];
  return {
    rows,
    notes,
    add(row) {
      rows.push(row);
      printRow(row);
    },
    note(text) {
      notes.push(text);
      process.stdout.write(`  note: ${text}\n`);
    },
  };
}

export function fmt(n: number): string {
  if (!Number.isFinite(n) || Number.isInteger(n)) return String(n);
  if (Math.abs(n) >= 100) return n.toFixed(0);
  if (Math.abs(n) >= 1) return n.toFixed(2);
  return n.toPrecision(3);
}

export function printRow(row: BenchRow): void {
  const base = row.baseline
    ? `  vs ${row.baseline.label} ${fmt(row.baseline.value)} ${row.baseline.unit}`
    : '';
  const ratio = row.ratio !== undefined ? `  ratio ${fmt(row.ratio)}` : '';
  const goal = row.goal ? `  goal ${row.goal}: ${row.met ? 'met' : 'MISSED'}` : '';
  process.stdout.write(
    `${row.label.padEnd(58)} ${fmt(row.value).padStart(10)} ${row.unit}${base}${ratio}${goal}\n`,
  );
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}
