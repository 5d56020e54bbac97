import { describe, expect, it } from 'vitest';
import { parseStrictJson, StrictJsonError } from '../src/qmp/strict-json.ts';

describe('parseStrictJson', () => {
  it('reads what JSON.parse reads for well-formed input', () => {
    const samples = [
      '{"execute":"query-status","arguments":{"flat":true},"id":[1,"a",{"b":null}]}',
      ' [1, -2.5e3, 0, true, false, null, "\\u00e9\\n\\"x\\""] ',
      '"just a string"',
      '{}',
      '[]',
    ];
    for (const text of samples) expect(parseStrictJson(text)).toEqual(JSON.parse(text));
  });

  it.each([
    ["{'execute':'quit'}", 'single quotes'],
    ['{"execute":"query-status","execute":"quit"}', "duplicate key 'execute'"],
    ['{"a":{"b":1,"b":2}}', "duplicate key 'b'"],
    ['{"execute":"a"}{"execute":"b"}', 'one object per frame'],
    ['{"execute":"a"}\n{"execute":"b"}', 'one object per frame'],
    ['{"execute": }', 'unexpected character'],
    ['{"a":1,}', 'expected a string'],
    ['[1,]', 'unexpected character'],
    ['{"a":01}', "expected '}'"],
    ['{"a":NaN}', 'unexpected character'],
    ['"tab\there"', 'control character'],
    ['{"a":"\\x41"}', 'bad escape'],
    ['', 'unexpected end'],
    ['{"a":1', "expected '}'"],
    ['{"a":1}\u0000', 'one object per frame'],
  ])('refuses %j (%s)', (text, reason) => {
    expect(() => parseStrictJson(text)).toThrow(StrictJsonError);
    expect(() => parseStrictJson(text)).toThrow(reason);
  });

  it('limits nesting depth', () => {
    expect(() => parseStrictJson('['.repeat(65) + ']'.repeat(65))).toThrow('nested too deeply');
    expect(parseStrictJson('['.repeat(10) + ']'.repeat(10))).toBeDefined();
  });

  it('keeps "__proto__" as a plain key', () => {
    const value = parseStrictJson('{"__proto__":{"polluted":true}}') as Record<string, unknown>;
    expect(Object.keys(value)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
  });
});
