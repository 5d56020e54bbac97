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

  // Each of these reached QEMU 7.2 and 10.0 as an id-less error before (see qemu-json-rules.ts).
  it.each([
    ['{"flat":"\\ud800"}', 'unpaired surrogate U+D800'],
    ['{"flat":"\\udc00x"}', 'unpaired surrogate U+DC00'],
    ['{"flat":"\\ud800\\u0041"}', 'unpaired surrogate U+D800'],
    ['{"\\ud800":1}', 'unpaired surrogate U+D800'],
    ['{"a":"\\ufdd0"}', 'noncharacter U+FDD0'],
    ['{"a":"\\ufdef"}', 'noncharacter U+FDEF'],
    ['{"a":"\\ufffe"}', 'noncharacter U+FFFE'],
    ['{"a":"\\uffff"}', 'noncharacter U+FFFF'],
    ['{"a":"\\ud83f\\udffe"}', 'noncharacter U+1FFFE'],
    ['{"a":"\\udbff\\udfff"}', 'noncharacter U+10FFFF'],
    ['{"a":"\ufffe"}', 'noncharacter U+FFFE'],
    ['{"a":"\u{1fffe}"}', 'noncharacter U+1FFFE'],
    ['{"a":"x\\u0000"}', 'U+0000'],
    ['{"a":1e400}', 'number out of range'],
    ['{"a":-1e400}', 'number out of range'],
    ['{"a":9007199254740993}', 'cannot be passed on exactly'],
    ['{"a":1152921504606846976}', 'cannot be passed on exactly'],
    ['{"a":18446744073709551616}', 'cannot be passed on exactly'],
    ['{"a":-9223372036854775808}', 'cannot be passed on exactly'],
    ['{"a":1000000000000000000000}', 'cannot be passed on exactly'],
  ])('refuses what QEMU would refuse or alter: %s (%s)', (text, reason) => {
    expect(() => parseStrictJson(text)).toThrow(StrictJsonError);
    expect(() => parseStrictJson(text)).toThrow(reason);
  });

  it('passes what QEMU reads as written', () => {
    const samples = [
      '{"a":"\\ud83d\\ude00 \u{1f600} \\ufdcf \\ufdf0 \\ufffd \\u007f \\u0085 \\u2028"}',
      '{"a":9007199254740991,"b":-9007199254740991,"c":9007199254740992}',
      '{"a":1.5e308,"b":-1,"c":1e-400,"d":123456789012345678901234567890.5}',
    ];
    for (const text of samples) {
      const value = parseStrictJson(text);
      expect(value).toEqual(JSON.parse(text));
      // what the proxy writes reads back as the same value
      expect(JSON.parse(JSON.stringify(value))).toEqual(value);
    }
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
