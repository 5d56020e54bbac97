import { describe, expect, it } from 'vitest';
import { qemuMessageText } from './qemu-json-text.ts';

// The expected lines are QEMU 7.2's own output for the same messages.
describe('qemuMessageText', () => {
  it('writes a reply as QEMU does, id last after a return and first before an error', () => {
    expect(
      qemuMessageText({ return: { status: 'prelaunch', running: false }, id: [1, { a: null }] }),
    ).toBe('{"return": {"status": "prelaunch", "running": false}, "id": [1, {"a": null}]}');
    expect(qemuMessageText({ error: { class: 'GenericError', desc: 'x' }, id: 'n' })).toBe(
      '{"id": "n", "error": {"class": "GenericError", "desc": "x"}}',
    );
    expect(qemuMessageText({ error: { class: 'GenericError', desc: 'x' } })).toBe(
      '{"error": {"class": "GenericError", "desc": "x"}}',
    );
  });

  it("puts an event's timestamp first", () => {
    expect(
      qemuMessageText({ event: 'STOP', data: {}, timestamp: { seconds: 1, microseconds: 2 } }),
    ).toBe('{"timestamp": {"seconds": 1, "microseconds": 2}, "event": "STOP", "data": {}}');
  });

  it('escapes what QEMU escapes, in upper case', () => {
    // QEMU: {"id": "\u00E9/", "error": {"class": "DeviceNotFound", "desc": "Device '/\u00E9\u007F\u0001x' not found"}}
    expect(
      qemuMessageText({
        error: { class: 'DeviceNotFound', desc: "Device '/é\u007f\u0001x' not found" },
        id: 'é/',
      }),
    ).toBe(
      '{"id": "\\u00E9/", "error": {"class": "DeviceNotFound", "desc": "Device \'/\\u00E9\\u007F\\u0001x\' not found"}}',
    );
    expect(qemuMessageText({ return: 'a"b\\c\n\t😀' })).toBe(
      '{"return": "a\\"b\\\\c\\n\\t\\uD83D\\uDE00"}',
    );
  });
});
