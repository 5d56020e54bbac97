import { describe, expect, it } from 'vitest';
import {
  INTEGER_RANGES,
  checkRange,
  formatBytes,
  formatIops,
  formatLimit,
  formatRate,
  formatSize,
  parseCount,
  parseInteger,
  parseRate,
  parseSize,
  parseSizeExact,
} from './units.ts';

const ok = (value: number) => ({ ok: true, value });

// The cases follow qemu_strtosz's documented behaviour (util/cutils.c): binary suffixes B K M G T
// P E in either case, bytes without a suffix, fractions only with a suffix above B, no negatives.
describe('sizes, as qemu_strtosz reads them', () => {
  it('reads every suffix as a power of 1024, in either case', () => {
    expect(parseSize('512')).toEqual(ok(512));
    expect(parseSize('512b')).toEqual(ok(512));
    expect(parseSize('64K')).toEqual(ok(64 * 1024));
    expect(parseSize('64k')).toEqual(ok(64 * 1024));
    expect(parseSize('64M')).toEqual(ok(64 * 1024 ** 2));
    expect(parseSize('2g')).toEqual(ok(2 * 1024 ** 3));
    expect(parseSize('1T')).toEqual(ok(1024 ** 4));
    expect(parseSizeExact('1P')).toEqual({ ok: true, value: 1n << 50n });
    expect(parseSizeExact('3E')).toEqual({ ok: true, value: 3n << 60n });
  });

  it('takes the KiB spellings of the same units, and spaces', () => {
    expect(parseSize('64 KiB')).toEqual(ok(64 * 1024));
    expect(parseSize(' 2 MiB ')).toEqual(ok(2 * 1024 ** 2));
  });

  it('reads fractions with a suffix, rounded down to whole bytes', () => {
    expect(parseSize('1.5G')).toEqual(ok(1.5 * 1024 ** 3));
    expect(parseSize('0.5K')).toEqual(ok(512));
    expect(parseSize('1.0001K')).toEqual(ok(1024));
  });

  it('refuses a fraction of a byte, negatives, junk and decimal units', () => {
    expect(parseSize('1.5').ok).toBe(false);
    expect(parseSize('1.5B').ok).toBe(false);
    expect(parseSize('-1M')).toEqual({ ok: false, message: 'must not be negative' });
    expect(parseSize('fast').ok).toBe(false);
    expect(parseSize('12x').ok).toBe(false);
    expect(parseSize('1e3').ok).toBe(false);
    expect(parseSize('64MB')).toEqual({
      ok: false,
      message: "QEMU's units are binary: write 64M or 64MiB (1 M = 1048576 bytes)",
    });
  });

  it('keeps numbers JSON can carry exactly', () => {
    expect(parseSize('7P')).toEqual(ok(7 * 1024 ** 5));
    expect(parseSize('8P')).toEqual({
      ok: false,
      message: 'is too large to send exactly (beyond 2^53 bytes)',
    });
    expect(parseSizeExact('15E')).toEqual({ ok: true, value: 15n << 60n });
    expect(parseSizeExact('16E')).toEqual({ ok: false, message: 'is too large (16 EiB or more)' });
  });

  it('reads an empty field as 0, which QMP takes as unlimited', () => {
    expect(parseSize('')).toEqual(ok(0));
    expect(parseRate('  ')).toEqual(ok(0));
  });
});

describe('rates and counts', () => {
  it('reads rates as bytes per second with the same units', () => {
    expect(parseRate('10M/s')).toEqual(ok(10 * 1024 ** 2));
    expect(parseRate('10 MiB/s')).toEqual(ok(10 * 1024 ** 2));
    expect(parseRate('512K')).toEqual(ok(512 * 1024));
    expect(parseRate('8')).toEqual(ok(8));
    expect(parseRate('20 MB/s')).toEqual({
      ok: false,
      message: "QEMU's units are binary: write 20M/s or 20MiB/s (1 M = 1048576 bytes)",
    });
    expect(parseSize('10M/s').ok).toBe(false);
  });

  it('reads counts as whole numbers', () => {
    expect(parseCount('400')).toEqual(ok(400));
    expect(parseCount('400 IOPS')).toEqual(ok(400));
    expect(parseCount('').ok).toBe(true);
    expect(parseCount('2k').ok).toBe(false);
    expect(parseCount('-1').ok).toBe(false);
    expect(parseCount('1.5').ok).toBe(false);
  });
});

describe('integers for QAPI fields', () => {
  it('takes plain integers, and sizes where the field is a size', () => {
    expect(parseInteger(' 4096 ', undefined)).toEqual({ ok: true, value: 4096n });
    expect(parseInteger('-5', undefined)).toEqual({ ok: true, value: -5n });
    expect(parseInteger('64M', 'bytes')).toEqual({ ok: true, value: 64n << 20n });
    expect(parseInteger('64M/s', 'bytes/s')).toEqual({ ok: true, value: 64n << 20n });
    expect(parseInteger('64M/s', 'bytes').ok).toBe(false);
    expect(parseInteger('64M', undefined).ok).toBe(false);
    expect(parseInteger('', undefined).ok).toBe(false);
  });

  it('checks the ranges of every QAPI integer width', () => {
    expect(checkRange(255n, INTEGER_RANGES.uint8!)).toBeNull();
    expect(checkRange(256n, INTEGER_RANGES.uint8!)).toMatch(/at most 255/);
    expect(checkRange(-1n, INTEGER_RANGES.uint32!)).toMatch(/at least 0/);
    expect(checkRange(-129n, INTEGER_RANGES.int8!)).toMatch(/at least -128/);
    expect(checkRange(1n << 40n, INTEGER_RANGES.int32!)).toMatch(/at most/);
    expect(checkRange(1n << 60n, INTEGER_RANGES.uint64!)).toMatch(/2\^53/);
  });
});

describe('printing', () => {
  it('prints sizes back the way QEMU takes them', () => {
    expect(formatSize(64n << 20n)).toBe('64M');
    expect(formatSize(1000n)).toBe('1000');
    expect(formatSize(0n)).toBe('0');
  });

  it('prints bytes and rates in binary units for reading', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(64 * 1024 ** 2)).toBe('64 MiB');
    expect(formatBytes(1.5 * 1024 ** 3)).toBe('1.5 GiB');
    expect(formatBytes(150 * 1024 ** 2)).toBe('150 MiB');
    expect(formatBytes(undefined)).toBe('—');
    expect(formatRate(10 * 1024 ** 2)).toBe('10 MiB/s');
    expect(formatLimit(0)).toBe('unlimited');
    expect(formatLimit(2 * 1024 ** 2)).toBe('2 MiB/s');
    expect(formatIops(0)).toBe('unlimited');
    expect(formatIops(400)).toBe('400 IOPS');
  });

  it('prints what it parses', () => {
    for (const text of ['512 B', '64 MiB', '1.5 GiB', '10 MiB']) {
      const parsed = parseSize(text);
      expect(parsed.ok && formatBytes(parsed.value)).toBe(text);
    }
  });
});
