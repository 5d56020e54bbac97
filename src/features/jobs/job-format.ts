// Words and numbers as an operator reads them at 3 a.m.

const STATUS_WORDS: Record<string, string> = {
  undefined: 'Unknown',
  created: 'Starting',
  running: 'Running',
  paused: 'Paused',
  ready: 'Ready to complete',
  standby: 'Paused (ready)',
  waiting: 'Waiting for other jobs',
  pending: 'Waiting to be finalized',
  aborting: 'Aborting',
  concluded: 'Concluded',
  null: 'Dismissed',
};

/** A job's status in words; `ioStatus` "failed" marks a job stopped by an I/O error. */
export function statusWords(status: string, ioStatus?: string, error?: string): string {
  if (status === 'concluded') return error ? 'Failed' : 'Concluded';
  if (status === 'paused' && ioStatus && ioStatus !== 'ok')
    return `Paused by I/O error (${ioStatus})`;
  return STATUS_WORDS[status] ?? status;
}

/** "45 s", "3 min 05 s", "2 h 07 min". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  const h = Math.floor(m / 60);
  return `${h} h ${String(m % 60).padStart(2, '0')} min`;
}

/** Wall-clock time with milliseconds, for timelines and the event log. */
export function formatClock(epochMs: number): string {
  const d = new Date(epochMs);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}
