import { describe, expect, it } from 'vitest';
import { readClientFrame } from './client-frame.ts';

describe('readClientFrame', () => {
  it('rebuilds a well-formed command from execute, arguments and id', () => {
    expect(
      readClientFrame('{"execute":"query-named-block-nodes","arguments":{"flat":true},"id":[1]}'),
    ).toEqual({ command: 'query-named-block-nodes', args: { flat: true }, id: { value: [1] } });
  });

  it('refuses what QEMU would refuse and keeps the id when the problem lies elsewhere', () => {
    // the frame of issue 14: QEMU answered it without an id, and the proxy dropped the connection
    const frame = '{"execute":"query-named-block-nodes","arguments":{"flat":"\\ud800"},"id":1}';
    const read = readClientFrame(frame);
    expect(read).toEqual({
      error: {
        class: 'BlockscopeBadRequest',
        desc: 'JSON parse error: unpaired surrogate U+D800 in a string at position 57',
      },
      id: { value: 1 },
      command: 'query-named-block-nodes',
    });
    expect(readClientFrame('{"id":"a","execute":"qom-get","arguments":{"n":2e400}}')).toMatchObject(
      {
        error: { desc: 'JSON parse error: number out of range at position 47' },
        id: { value: 'a' },
      },
    );
    expect(readClientFrame('{"execute":"qom-get","\\ufffe":1,"id":null}')).toMatchObject({
      error: { desc: expect.stringContaining('noncharacter U+FFFE') },
      id: { value: null },
    });
  });

  it('leaves the id out when the id itself holds the problem, or the JSON is malformed', () => {
    for (const frame of [
      '{"execute":"query-status","id":"\\udc00"}',
      '{"execute":"query-status","id":{"n":9007199254740993}}',
      '{"execute":"query-status","arguments":{"a":"\\ud800"},"id":1e400}',
      '{"execute":"query-status","arguments":{"a":[[[[1]]]},"id":1,}',
    ]) {
      const read = readClientFrame(frame);
      expect(read).toMatchObject({ error: { class: 'BlockscopeBadRequest' } });
      expect(read.id).toBeUndefined();
    }
  });

  it("refuses exec-oob with QEMU's error for a monitor where oob is not enabled", () => {
    expect(readClientFrame('{"exec-oob":"query-status","id":3}')).toEqual({
      error: { class: 'GenericError', desc: "QMP input member 'exec-oob' is unexpected" },
      id: { value: 3 },
    });
  });
});
