import { describe, expect, it } from 'vitest';
import { LineFramer } from './line-framer.ts';

describe('LineFramer', () => {
  it('splits CRLF lines across chunk boundaries', () => {
    const framer = new LineFramer(1024);
    expect(framer.push(Buffer.from('{"a":1}\r\n{"b"'))).toEqual([
      { kind: 'line', text: '{"a":1}' },
    ]);
    expect(framer.push(Buffer.from(':2}\r\n\r\n'))).toEqual([{ kind: 'line', text: '{"b":2}' }]);
  });

  it('skips a line over the limit without holding it, then carries on', () => {
    const framer = new LineFramer(10);
    expect(framer.push(Buffer.from('x'.repeat(8)))).toEqual([]);
    expect(framer.push(Buffer.from('x'.repeat(8)))).toEqual([]);
    expect(framer.push(Buffer.from('xx\n{"ok":1}\n'))).toEqual([
      { kind: 'oversized', bytes: 18, head: 'x'.repeat(16) },
      { kind: 'line', text: '{"ok":1}' },
    ]);
  });

  it('keeps the first bytes of an oversized line, across chunks', () => {
    const framer = new LineFramer(300);
    const line =
      '{"timestamp": {"seconds": 1, "microseconds": 2}, "event": "X", "data": "' + 'y'.repeat(400);
    expect(framer.push(Buffer.from(line.slice(0, 20)))).toEqual([]);
    const [item] = framer.push(Buffer.from(line.slice(20) + '"}\n'));
    expect(item).toEqual({ kind: 'oversized', bytes: line.length + 2, head: line.slice(0, 256) });
  });
});
