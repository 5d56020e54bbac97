// Human units for limits and speeds: "20 MB/s", "1.5 GiB/s", "400 IOPS", "64 KiB".
// MB, KB and GB are decimal (as disk vendors and most operators use them); MiB, KiB and GiB are
// binary. A bare number is bytes (or operations).

const FACTORS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  kib: 1024,
  m: 1e6,
  mb: 1e6,
  mib: 1024 ** 2,
  g: 1e9,
  gb: 1e9,
  gib: 1024 ** 3,
  t: 1e12,
  tb: 1e12,
  tib: 1024 ** 4,
};

export type ParsedAmount = { ok: true; value: number } | { ok: false; message: string };

/** Parses a size or rate ("/s" allowed) into whole bytes. An empty string is 0 (unlimited). */
export function parseBytes(text: string): ParsedAmount {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: true, value: 0 };
  const match = /^(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*(?:\/\s*s(?:ec)?)?$/.exec(trimmed);
  const factor = match ? FACTORS[(match[2] ?? '').toLowerCase()] : undefined;
  if (!match || factor === undefined) {
    return { ok: false, message: `'${text}' is not a size; write e.g. 20 MB/s, 512 KiB or 1 GiB.` };
  }
  return { ok: true, value: Math.round(Number(match[1]) * factor) };
}

/** Parses an operation rate: "400", "400 IOPS", "2k IOPS". */
export function parseIops(text: string): ParsedAmount {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: true, value: 0 };
  const match = /^(\d+(?:\.\d+)?)\s*(k?)\s*(?:iops|ops\/s)?$/i.exec(trimmed);
  if (!match)
    return { ok: false, message: `'${text}' is not an operation rate; write e.g. 400 IOPS.` };
  const factor = match[2] ? 1000 : 1;
  return { ok: true, value: Math.round(Number(match[1]) * factor) };
}

const BINARY: [string, number][] = [
  ['TiB', 1024 ** 4],
  ['GiB', 1024 ** 3],
  ['MiB', 1024 ** 2],
  ['KiB', 1024],
];
const DECIMAL: [string, number][] = [
  ['TB', 1e12],
  ['GB', 1e9],
  ['MB', 1e6],
  ['KB', 1e3],
];

/** Formats bytes in the largest unit, binary or decimal, whichever shows it exactly. */
export function formatBytes(bytes: number): string {
  const pick = (units: [string, number][]) => units.find(([, f]) => bytes >= f);
  const exact = (unit: [string, number] | undefined) =>
    unit !== undefined && Number.isInteger((bytes / unit[1]) * 10);
  const binary = pick(BINARY);
  const decimal = pick(DECIMAL);
  const unit = exact(binary) ? binary : exact(decimal) ? decimal : binary;
  if (!unit) return `${bytes} B`;
  return `${Number((bytes / unit[1]).toFixed(1))} ${unit[0]}`;
}

export function formatRate(bytesPerSecond: number): string {
  return bytesPerSecond === 0 ? 'unlimited' : `${formatBytes(bytesPerSecond)}/s`;
}

export function formatIops(iops: number): string {
  return iops === 0 ? 'unlimited' : `${iops} IOPS`;
}
