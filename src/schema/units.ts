// Sizes, rates and counts, parsed and printed with QEMU's meanings, for every field and display of
// the page. QEMU reads sizes with qemu_strtosz (util/cutils.c): a number with an optional suffix
// B, K, M, G, T, P or E in either case, each a power of 1024; no suffix means bytes; a fraction
// needs a suffix larger than B; negative numbers are refused. The rates of block jobs and throttle
// limits are bytes per second in QMP (qapi/block-core.json `speed`, `bps-*`), so `10M/s` is
// 10 × 1024² bytes a second. Decimal units (MB, GB) are refused rather than read either way: an
// operator who types "10 MB" is told what QEMU would take. Counts (IOPS) are plain integers.
// Results are exact (BigInt) so that range checks do not round.

const SUFFIXES: Record<string, bigint> = {
  b: 1n,
  k: 1n << 10n,
  m: 1n << 20n,
  g: 1n << 30n,
  t: 1n << 40n,
  p: 1n << 50n,
  e: 1n << 60n,
};

export type IntegerParse = { ok: true; value: bigint } | { ok: false; message: string };
export type AmountParse = { ok: true; value: number } | { ok: false; message: string };

const SIZE = /^(\d+)(?:\.(\d+))?\s*(?:([bkmgtpe])(i?b)?)?$/i;
const DECIMAL_UNIT = /^\d+(?:\.\d+)?\s*[kmgtpe]b$/i;

/**
 * A size as qemu_strtosz reads it, plus the `KiB`/`MiB` spellings of the same binary units.
 * With `rate`, a trailing `/s` is allowed (and meaningless: QMP rates are bytes per second).
 */
export function parseSizeExact(text: string, options: { rate?: boolean } = {}): IntegerParse {
  let trimmed = text.trim();
  if (options.rate) trimmed = trimmed.replace(/\s*\/\s*s$/i, '');
  const example = options.rate ? '10M/s, 512K/s or 1.5G/s' : '65536, 64M or 1.5G';
  if (DECIMAL_UNIT.test(trimmed)) {
    const bare = trimmed.replace(/b$/i, '').replace(/\s+/g, '');
    const letter = bare.slice(-1).toUpperCase();
    const per = options.rate ? '/s' : '';
    return {
      ok: false,
      message: `QEMU's units are binary: write ${bare}${per} or ${bare}iB${per} (1 ${letter} = ${SUFFIXES[letter.toLowerCase()]} bytes)`,
    };
  }
  const match = SIZE.exec(trimmed);
  if (!match) {
    if (/^-/.test(trimmed)) return { ok: false, message: 'must not be negative' };
    return { ok: false, message: `must be a size, e.g. ${example}` };
  }
  const [, whole = '0', fraction = '', suffix = 'b', ib = ''] = match;
  if (ib && suffix.toLowerCase() === 'b')
    return { ok: false, message: `must be a size, e.g. ${example}` };
  const unit = SUFFIXES[suffix.toLowerCase()] ?? 1n;
  if (fraction && unit === 1n) return { ok: false, message: 'a fraction needs a unit, e.g. 1.5G' };
  const scale = 10n ** BigInt(fraction.length);
  const value = ((BigInt(whole) * scale + BigInt(fraction || '0')) * unit) / scale;
  // qemu_strtosz's own ceiling: sizes from 2^64 − 1024 up are out of range.
  if (value >= 0xfffffffffffffc00n) return { ok: false, message: 'is too large (16 EiB or more)' };
  return { ok: true, value };
}

/** A size or rate as a JSON-safe number of bytes; an empty field is 0 (QMP's "unlimited"). */
export function parseSize(text: string, options: { rate?: boolean } = {}): AmountParse {
  if (text.trim() === '') return { ok: true, value: 0 };
  const parsed = parseSizeExact(text, options);
  if (!parsed.ok) return parsed;
  if (parsed.value > BigInt(Number.MAX_SAFE_INTEGER))
    return { ok: false, message: 'is too large to send exactly (beyond 2^53 bytes)' };
  return { ok: true, value: Number(parsed.value) };
}

export const parseRate = (text: string): AmountParse => parseSize(text, { rate: true });

/** A count per second (IOPS): a whole number, optionally followed by "IOPS"; empty is 0. */
export function parseCount(text: string): AmountParse {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: true, value: 0 };
  const match = /^(\d+)\s*(?:iops|ops\/s)?$/i.exec(trimmed);
  if (!match) return { ok: false, message: 'must be a whole number of operations, e.g. 400' };
  const value = Number(match[1]);
  if (!Number.isSafeInteger(value)) return { ok: false, message: 'is too large' };
  return { ok: true, value };
}

/**
 * A decimal integer; for a field measured in bytes, also a qemu_strtosz size (`64M`, `1.5G`), and
 * for one measured in bytes per second, the same with an optional `/s`.
 */
export function parseInteger(text: string, unit?: string): IntegerParse {
  const trimmed = text.trim();
  if (/^[-+]?\d+$/.test(trimmed)) return { ok: true, value: BigInt(trimmed) };
  if (unit !== 'bytes' && unit !== 'bytes/s')
    return { ok: false, message: 'must be a whole number' };
  return parseSizeExact(trimmed, { rate: unit === 'bytes/s' });
}

const NAMES = ['', 'K', 'M', 'G', 'T', 'P', 'E'];

/** `67108864` → `64M`, the way QEMU takes it back; values that are not a whole multiple stay bytes. */
export function formatSize(bytes: bigint): string {
  let value = bytes;
  let i = 0;
  while (i < NAMES.length - 1 && value !== 0n && value % 1024n === 0n) {
    value /= 1024n;
    i++;
  }
  return `${value}${NAMES[i]}`;
}

const BINARY = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];

/** Bytes for reading: `64 MiB`, `1.5 GiB`, `512 B` (at most one decimal; binary units only). */
export function formatBytes(bytes: number | bigint | undefined): string {
  if (bytes === undefined) return '—';
  let value = Number(bytes);
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < BINARY.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 || Math.abs(value) >= 100 ? 0 : 1;
  return `${Number(value.toFixed(digits))} ${BINARY[unit]}`;
}

export const formatRate = (bytesPerSecond: number): string => `${formatBytes(bytesPerSecond)}/s`;

/** A throttle limit or job speed, where QMP's 0 means no limit. */
export const formatLimit = (bytesPerSecond: number): string =>
  bytesPerSecond === 0 ? 'unlimited' : formatRate(bytesPerSecond);

export const formatIops = (iops: number): string => (iops === 0 ? 'unlimited' : `${iops} IOPS`);

export interface IntegerRange {
  min: bigint;
  max: bigint;
}

/** Ranges of the QAPI integer types (docs/devel/qapi-code-gen.rst, "Built-in Types"). */
export const INTEGER_RANGES: Record<string, IntegerRange> = {
  int8: { min: -(1n << 7n), max: (1n << 7n) - 1n },
  int16: { min: -(1n << 15n), max: (1n << 15n) - 1n },
  int32: { min: -(1n << 31n), max: (1n << 31n) - 1n },
  int64: { min: -(1n << 63n), max: (1n << 63n) - 1n },
  int: { min: -(1n << 63n), max: (1n << 63n) - 1n },
  uint8: { min: 0n, max: (1n << 8n) - 1n },
  uint16: { min: 0n, max: (1n << 16n) - 1n },
  uint32: { min: 0n, max: (1n << 32n) - 1n },
  uint64: { min: 0n, max: (1n << 64n) - 1n },
  size: { min: 0n, max: (1n << 64n) - 1n },
};

/** Checks a parsed integer against its range and against what a JSON number can carry exactly. */
export function checkRange(value: bigint, range: IntegerRange): string | null {
  if (value < range.min) return `must be at least ${range.min}`;
  if (value > range.max) return `must be at most ${range.max}`;
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER))
    return 'is too large to send exactly (beyond 2^53)';
  return null;
}
