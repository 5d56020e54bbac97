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

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${value.toFixed(digits)} ${UNITS[unit]}`;
}

export function formatRate(bytesPerSecond: number): string {
  return `${formatBytes(bytesPerSecond)}/s`;
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

/** Parses "8", "8M", "8 MiB/s", "512K" into bytes/s (plain numbers are MiB/s); null if invalid. */
export function parseSpeed(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?(?:\/s)?\s*$/i.exec(text);
  if (!m) return null;
  const value = Number(m[1]);
  const unit = (m[2] ?? '').toLowerCase();
  const factor =
    unit === 'k' ? 1024 : unit === 'g' ? 1024 ** 3 : unit === 't' ? 1024 ** 4 : 1024 ** 2;
  return Math.round(value * factor);
}
