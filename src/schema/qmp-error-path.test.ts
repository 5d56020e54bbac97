import { describe, expect, it } from 'vitest';
import { fieldPathFromError } from './qmp-error-path.ts';

describe('field path from a QEMU error', () => {
  it('finds the member named by the input visitor', () => {
    expect(fieldPathFromError("Parameter 'addr.data' is missing")).toBe('addr.data');
    expect(fieldPathFromError("Invalid parameter type for 'speed', expected: integer")).toBe(
      'speed',
    );
    expect(fieldPathFromError("Parameter 'driver' does not accept value 'floppy'")).toBe('driver');
    expect(fieldPathFromError("Invalid parameter 'bogus'")).toBe('bogus');
  });

  it('says nothing when the error names no member', () => {
    expect(fieldPathFromError("Duplicate nodes with node-name='data'")).toBeUndefined();
  });
});
