import { describe, expect, it } from 'vitest';
import { JsonSplitter } from './json-splitter.ts';

const texts = (splitter: JsonSplitter, ...chunks: string[]) =>
  chunks.flatMap((chunk) =>
    splitter
      .push(Buffer.from(chunk))
      .map((item) => (item.kind === 'value' ? item.bytes.toString() : '<oversized>')),
  );

describe('JsonSplitter', () => {
  it('splits where braces balance, whatever the newlines', () => {
    const s = new JsonSplitter(1024);
    expect(texts(s, '{"execute":"a"}{"execute":"b"}\n{"execute":\n"c",\n"id":1}')).toEqual([
      '{"execute":"a"}',
      '{"execute":"b"}',
      '{"execute":\n"c",\n"id":1}',
    ]);
  });

  it('joins a value over chunks, and needs no newline after it', () => {
    const s = new JsonSplitter(1024);
    expect(texts(s, '{"execute":"query', '-status","id":{"a":[1,', '2]}}')).toEqual([
      '{"execute":"query-status","id":{"a":[1,2]}}',
    ]);
  });

  it('does not count braces and quotes inside strings', () => {
    const s = new JsonSplitter(1024);
    expect(texts(s, '{"id":"}{\\"]","x":"\\\\"} ')).toEqual(['{"id":"}{\\"]","x":"\\\\"}']);
  });

  it('passes scalars, top-level strings and stray closers on for the parser to refuse', () => {
    const s = new JsonSplitter(1024);
    expect(texts(s, '42 [1,2]\n"a{" }\n')).toEqual(['42', '[1,2]', '"a{"', '}']);
  });

  it('keeps multi-byte UTF-8 intact across chunks', () => {
    const s = new JsonSplitter(1024);
    const bytes = Buffer.from('{"id":"é€"}');
    const out = [...s.push(bytes.subarray(0, 9)), ...s.push(bytes.subarray(9))];
    expect(out.map((item) => item.kind === 'value' && item.bytes.toString())).toEqual([
      '{"id":"é€"}',
    ]);
  });

  it('reports a value over the limit, within one chunk or over several, and stops', () => {
    const s = new JsonSplitter(16);
    expect(texts(s, '{"a":1} {"execute":"0123456789"} {"b":2}')).toEqual([
      '{"a":1}',
      '<oversized>',
    ]);
    expect(texts(s, '{"c":3}')).toEqual([]);
    const t = new JsonSplitter(16);
    expect(texts(t, '{"execute":', '"0123456789', '"}')).toEqual(['<oversized>']);
  });
});
