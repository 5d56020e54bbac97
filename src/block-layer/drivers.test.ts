import { describe, expect, it } from 'vitest';
import { driverKind, FILTER_DRIVERS, isFilterDriver, throttleGroupOf } from './drivers.ts';

describe('driverKind', () => {
  it('tells filters, protocols and formats apart', () => {
    expect(driverKind('throttle')).toBe('filter');
    expect(driverKind('snapshot-access')).toBe('filter');
    expect(driverKind('file')).toBe('protocol');
    expect(driverKind('null-co')).toBe('protocol');
    expect(driverKind('qcow2')).toBe('format');
    expect(driverKind(undefined)).toBe('format');
  });

  it("has one list of filters, the jobs' filters included", () => {
    for (const d of ['mirror_top', 'commit_top', 'copy-before-write', 'blkverify', 'replication']) {
      expect(FILTER_DRIVERS.has(d)).toBe(true);
      expect(isFilterDriver(d)).toBe(true);
    }
    expect(isFilterDriver('raw')).toBe(false);
  });
});

describe('throttleGroupOf', () => {
  const json = (o: object) => `json:${JSON.stringify(o)}`;

  it("reads a throttle node's group from its json: filename", () => {
    const file = json({ 'throttle-group': 'tg0', driver: 'throttle', file: { driver: 'file' } });
    expect(throttleGroupOf({ drv: 'throttle', file })).toBe('tg0');
    // The graph's model may know only the image's filename.
    expect(throttleGroupOf({ image: { filename: file } })).toBe('tg0');
  });

  it('finds none on other drivers, plain filenames and broken json', () => {
    const above = json({ driver: 'qcow2', file: { 'throttle-group': 'tg0', driver: 'throttle' } });
    expect(throttleGroupOf({ drv: 'qcow2', file: above })).toBeUndefined();
    expect(
      throttleGroupOf({ drv: 'qcow2', file: json({ 'throttle-group': 'tg0' }) }),
    ).toBeUndefined();
    expect(throttleGroupOf({ drv: 'throttle', file: '/images/a.qcow2' })).toBeUndefined();
    expect(throttleGroupOf({ drv: 'throttle', file: 'json:{not json' })).toBeUndefined();
    expect(
      throttleGroupOf({ drv: 'throttle', file: json({ 'throttle-group': 7 }) }),
    ).toBeUndefined();
    expect(throttleGroupOf(undefined)).toBeUndefined();
  });
});
