import { describe, expect, it } from 'vitest';
import { INTEGER_RANGES, checkRange, formatSize, parseInteger } from './sizes.ts';

describe('integer and size parsing', () => {
  it('parses byte sizes with binary suffixes', () => {
    expect(parseInteger('64M', true)).toEqual({ ok: true, value: 64n << 20n });
    expect(parseInteger('1G', true)).toEqual({ ok: true, value: 1n << 30n });
    expect(parseInteger('512k', true)).toEqual({ ok: true, value: 512n << 10n });
    expect(parseInteger('1.5G', true)).toEqual({ ok: true, value: 3n << 29n });
    expect(parseInteger('2MiB', true)).toEqual({ ok: true, value: 2n << 20n });
    expect(parseInteger(' 4096 ', true)).toEqual({ ok: true, value: 4096n });
  });

  it('rejects suffixes where they do not belong and junk everywhere', () => {
    expect(parseInteger('64M', false).ok).toBe(false);
    expect(parseInteger('12x', true).ok).toBe(false);
    expect(parseInteger('', false).ok).toBe(false);
    expect(parseInteger('1e3', false).ok).toBe(false);
  });

  it('checks the ranges of every QAPI integer width', () => {
    expect(checkRange(255n, INTEGER_RANGES.uint8!)).toBeNull();
    expect(checkRange(256n, INTEGER_RANGES.uint8!)).toMatch(/at most 255/);
    expect(checkRange(-1n, INTEGER_RANGES.uint32!)).toMatch(/at least 0/);
    expect(checkRange(-129n, INTEGER_RANGES.int8!)).toMatch(/at least -128/);
    expect(checkRange(1n << 40n, INTEGER_RANGES.int32!)).toMatch(/at most/);
    expect(checkRange(1n << 60n, INTEGER_RANGES.uint64!)).toMatch(/2\^53/);
  });

  it('formats sizes back with the largest exact suffix', () => {
    expect(formatSize(64n << 20n)).toBe('64M');
    expect(formatSize(1000n)).toBe('1000');
    expect(formatSize(0n)).toBe('0');
  });
});
