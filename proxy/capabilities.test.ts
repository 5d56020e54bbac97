import { describe, expect, it } from 'vitest';
import { negotiationError } from './capabilities.ts';

// The expected texts are QEMU's answers to the same arguments on its own monitor (7.2 and 10.0).
describe('negotiationError', () => {
  it('accepts no arguments and an empty list', () => {
    expect(negotiationError(undefined)).toBeNull();
    expect(negotiationError({})).toBeNull();
    expect(negotiationError({ enable: [] })).toBeNull();
  });

  it('answers a request for oob as QEMU does when it does not offer it', () => {
    expect(negotiationError({ enable: ['oob'] })).toEqual({
      class: 'GenericError',
      desc: 'Capability oob not available',
    });
    expect(negotiationError({ enable: ['oob', 'oob'] })?.desc).toBe(
      'Capability oob, oob not available',
    );
  });

  it("checks the arguments in QEMU's order, with QEMU's words", () => {
    const desc = (args: Record<string, unknown>) =>
      negotiationError(args as Parameters<typeof negotiationError>[0])?.desc;
    expect(desc({ enable: 'oob' })).toBe("Invalid parameter type for 'enable', expected: array");
    expect(desc({ enable: null })).toBe("Invalid parameter type for 'enable', expected: array");
    expect(desc({ enable: [1] })).toBe("Invalid parameter type for 'enable[0]', expected: string");
    expect(desc({ enable: ['oob', 'foo'] })).toBe("Parameter 'null' does not accept value 'foo'");
    expect(desc({ enable: 'x', y: 1 })).toBe(
      "Invalid parameter type for 'enable', expected: array",
    );
    expect(desc({ enable: ['oob'], y: 1 })).toBe("Parameter 'y' is unexpected");
    expect(desc({ x: 1 })).toBe("Parameter 'x' is unexpected");
  });
});
