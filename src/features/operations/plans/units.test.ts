import { describe, expect, it } from 'vitest';
import { formatBytes, formatRate, parseBytes, parseIops } from './units.ts';

describe('human units', () => {
  it('parses decimal and binary sizes and rates', () => {
    expect(parseBytes('20 MB/s')).toEqual({ ok: true, value: 20_000_000 });
    expect(parseBytes('10MiB/s')).toEqual({ ok: true, value: 10 * 1024 * 1024 });
    expect(parseBytes('1.5 GiB')).toEqual({ ok: true, value: 1.5 * 1024 ** 3 });
    expect(parseBytes('512')).toEqual({ ok: true, value: 512 });
    expect(parseBytes('')).toEqual({ ok: true, value: 0 });
    expect(parseBytes('fast').ok).toBe(false);
    expect(parseBytes('10 parsecs').ok).toBe(false);
  });

  it('parses operation rates', () => {
    expect(parseIops('400 IOPS')).toEqual({ ok: true, value: 400 });
    expect(parseIops('2k')).toEqual({ ok: true, value: 2000 });
    expect(parseIops('-1').ok).toBe(false);
  });

  it('formats with the unit that shows the value exactly', () => {
    expect(formatBytes(20 * 1024 * 1024)).toBe('20 MiB');
    expect(formatBytes(20_000_000)).toBe('20 MB');
    expect(formatRate(0)).toBe('unlimited');
    expect(formatRate(1_500_000)).toBe('1.5 MB/s');
  });
});
