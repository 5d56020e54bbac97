import { describe, expect, it } from 'vitest';
import { throttleSummary } from './throttle-summary.ts';

describe('throttleSummary', () => {
  it('shows a throttle group’s total limits', () => {
    expect(throttleSummary({ 'iops-total': 400, 'bps-total': 20 * 1024 * 1024 })).toBe(
      '400 IOPS · 20 MiB/s',
    );
  });
  it('shows block_set_io_throttle limits with their direction', () => {
    expect(throttleSummary({ iops_rd: 200, bps_wr: 1536 * 1024, bps: 0 })).toBe(
      '200 IOPS read · 1.5 MiB/s write',
    );
  });
  it('is empty when nothing is limited', () => {
    expect(throttleSummary({ 'iops-total': 0 })).toBe('');
  });
});
