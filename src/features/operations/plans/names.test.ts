import { describe, expect, it } from 'vitest';
import { nodeNameProblem, uniqueName } from './names.ts';
import { legacySocketAddress, nbdUri } from './nbd.ts';
import { describeLimits, toDeviceArguments, toGroupLimits } from './throttle-limits.ts';

describe('names and addresses', () => {
  it("applies QEMU's node-name rules", () => {
    expect(nodeNameProblem('disk0')).toBeNull();
    expect(nodeNameProblem('1abc')?.message).toMatch(/start with a letter/);
    expect(nodeNameProblem('#block123')?.message).toMatch(/Invalid/);
    expect(nodeNameProblem('a'.repeat(32))?.message).toMatch(/at most 31/);
    expect(nodeNameProblem('a'.repeat(31))).toBeNull();
  });

  it('makes unique, well-formed names from any node name', () => {
    expect(uniqueName('#block024-mirror', () => false)).toBe('block024-mirror');
    expect(uniqueName('1x', () => false)).toBe('n1x');
    expect(uniqueName('x', (n) => n === 'x' || n === 'x-2')).toBe('x-3');
    expect(uniqueName('a'.repeat(40), () => false, 31)).toHaveLength(31);
  });

  it('uses the legacy address for the server and the flat one for URIs', () => {
    const inet = { type: 'inet' as const, host: '127.0.0.1', port: 10809 };
    expect(legacySocketAddress(inet)).toEqual({
      type: 'inet',
      data: { host: '127.0.0.1', port: '10809' },
    });
    expect(nbdUri(inet, '#block1')).toBe('nbd://127.0.0.1:10809/%23block1');
    expect(nbdUri({ type: 'unix', path: '/run/n.sock' }, 'd')).toBe(
      'nbd+unix:///d?socket=%2Frun%2Fn.sock',
    );
  });

  it('states every group limit and all six mandatory device limits', () => {
    expect(Object.keys(toGroupLimits({}))).toHaveLength(19);
    expect(toDeviceArguments({ 'iops-total': 5 })).toEqual({
      bps: 0,
      bps_rd: 0,
      bps_wr: 0,
      iops: 5,
      iops_rd: 0,
      iops_wr: 0,
    });
    expect(describeLimits({ 'bps-total': 20 * 1024 * 1024, 'iops-total': 400 })).toBe(
      '20 MiB/s total · 400 IOPS total',
    );
  });
});
