// Integer input for QMP: plain decimal, or a byte count with a binary suffix (`64M`, `1G`, `512k`),
// the way QEMU's own size options read (util/cutils.c qemu_strtosz: suffixes are powers of 1024).
// Results stay exact as BigInt so range checks do not round; QMP carries them as JSON numbers.

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

/** Parses a decimal integer; with `allowSuffix`, also `1.5G`-style sizes (rounded down to bytes). */
export function parseInteger(text: string, allowSuffix: boolean): IntegerParse {
  const trimmed = text.trim();
  if (/^[-+]?\d+$/.test(trimmed)) return { ok: true, value: BigInt(trimmed) };
  if (!allowSuffix) return { ok: false, message: 'must be a whole number' };
  const match = /^(\d+)(?:\.(\d+))?\s*([bkmgtpe])(?:i?b)?$/i.exec(trimmed);
  if (!match) return { ok: false, message: 'must be a number of bytes, e.g. 65536, 64M or 1G' };
  const [, whole = '0', fraction = '', suffix = 'b'] = match;
  const unit = SUFFIXES[suffix.toLowerCase()] ?? 1n;
  const scale = 10n ** BigInt(fraction.length);
  const value = ((BigInt(whole) * scale + BigInt(fraction || '0')) * unit) / scale;
  return { ok: true, value };
}

const NAMES = ['', 'K', 'M', 'G', 'T', 'P', 'E'];

/** `67108864` → `64M`; values that are not a whole multiple stay in bytes. */
export function formatSize(bytes: bigint): string {
  let value = bytes;
  let i = 0;
  while (i < NAMES.length - 1 && value !== 0n && value % 1024n === 0n) {
    value /= 1024n;
    i++;
  }
  return `${value}${NAMES[i]}`;
}

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
