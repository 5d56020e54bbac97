// A strict JSON parser for frames that come from clients (RFC 8259, nothing more).
// JSON.parse silently keeps the last of two duplicate keys, and QEMU accepts 'single quotes' and
// several objects in one read; a frame that any two parsers could read differently is refused.
// On top of RFC 8259 it refuses what QEMU's parser would refuse or alter (qemu-json-rules.ts).
// Env-neutral: no DOM or Node APIs.
import { QEMU_MAX_NESTING, qemuNumberProblem, qemuStringProblem } from './qemu-json-rules.ts';
import type { JsonValue } from './wire.ts';

export class StrictJsonError extends Error {
  override name = 'StrictJsonError';
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(`${message} at position ${position}`);
  }
}

export interface StrictJsonLimits {
  /** Deepest nesting of arrays and objects accepted (default 64; QEMU's own limit is 1024). */
  maxDepth?: number;
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const ESCAPES: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

/** Parses exactly one JSON value; throws StrictJsonError on anything else. */
export function parseStrictJson(text: string, limits: StrictJsonLimits = {}): JsonValue {
  const { value, problem } = readStrictJson(text, limits);
  if (problem) throw problem.error;
  return value;
}

export interface StrictJsonRead {
  value: JsonValue;
  /**
   * The first value QEMU would refuse or alter (qemu-json-rules.ts), in well-formed JSON, and the
   * top-level members holding such values (so a caller can tell whether `id` is intact).
   */
  problem?: { error: StrictJsonError; topLevelKeys: ReadonlySet<string> };
}

/** Like parseStrictJson, but QEMU-rule problems are reported beside the value, not thrown. */
export function readStrictJson(text: string, limits: StrictJsonLimits = {}): StrictJsonRead {
  // never as deep as QEMU's limit: past it QEMU answers one id-less error per remaining token
  const maxDepth = Math.min(limits.maxDepth ?? 64, QEMU_MAX_NESTING - 1);
  let pos = 0;
  let topLevelKey: string | undefined;
  let firstProblem: StrictJsonError | undefined;
  const problemKeys = new Set<string>();

  function fail(message: string): never {
    throw new StrictJsonError(message, pos);
  }
  /** A QEMU-rule problem at `at`: noted, and parsing goes on. */
  function note(message: string, at: number): void {
    firstProblem ??= new StrictJsonError(message, at);
    if (topLevelKey !== undefined) problemKeys.add(topLevelKey);
  }
  const skipWhitespace = () => {
    while (pos < text.length && WHITESPACE.has(text[pos]!)) pos++;
  };
  const expect = (literal: string) => {
    if (text.startsWith(literal, pos)) pos += literal.length;
    else fail(`expected '${literal}'`);
  };

  function parseString(): string {
    const start = pos;
    const out = readString();
    const problem = qemuStringProblem(out);
    if (problem) note(problem, start);
    return out;
  }

  function readString(): string {
    if (text[pos] !== '"')
      fail(text[pos] === "'" ? 'single quotes are not JSON' : 'expected a string');
    pos++;
    let out = '';
    for (;;) {
      const ch = text[pos];
      if (ch === undefined) fail('unterminated string');
      if (ch === '"') {
        pos++;
        return out;
      }
      if (ch < ' ') fail('control character in a string');
      if (ch === '\\') {
        const esc = text[pos + 1];
        if (esc === 'u') {
          const hex = text.slice(pos + 2, pos + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('bad \\u escape');
          out += String.fromCharCode(parseInt(hex, 16));
          pos += 6;
        } else if (esc !== undefined && esc in ESCAPES) {
          out += ESCAPES[esc];
          pos += 2;
        } else {
          fail('bad escape');
        }
        continue;
      }
      out += ch;
      pos++;
    }
  }

  function parseValue(depth: number): JsonValue {
    skipWhitespace();
    const ch = text[pos];
    if (ch === '{' || ch === '[') {
      if (depth >= maxDepth) fail('nested too deeply');
      return ch === '{' ? parseObject(depth + 1) : parseArray(depth + 1);
    }
    if (ch === '"' || ch === "'") return parseString();
    if (ch === 't') return (expect('true'), true);
    if (ch === 'f') return (expect('false'), false);
    if (ch === 'n') return (expect('null'), null);
    NUMBER.lastIndex = pos;
    const match = NUMBER.exec(text);
    if (!match) return fail(ch === undefined ? 'unexpected end of input' : 'unexpected character');
    const value = Number(match[0]);
    const problem = qemuNumberProblem(match[0], value);
    if (problem) note(problem, pos);
    pos += match[0].length;
    return value;
  }

  function parseObject(depth: number): JsonValue {
    pos++; // '{'
    const out: { [key: string]: JsonValue } = {};
    const seen = new Set<string>();
    skipWhitespace();
    if (text[pos] === '}') {
      pos++;
      return out;
    }
    for (;;) {
      skipWhitespace();
      const keyAt = pos;
      if (depth === 1) topLevelKey = undefined;
      const key = parseString();
      if (seen.has(key)) {
        pos = keyAt;
        fail(`duplicate key '${key.slice(0, 64)}'`);
      }
      seen.add(key);
      skipWhitespace();
      expect(':');
      if (depth === 1) topLevelKey = key;
      // defineProperty, so a key named "__proto__" is plain data and never a prototype change
      Object.defineProperty(out, key, {
        value: parseValue(depth),
        enumerable: true,
        writable: true,
        configurable: true,
      });
      skipWhitespace();
      if (text[pos] === ',') {
        pos++;
        continue;
      }
      expect('}');
      return out;
    }
  }

  function parseArray(depth: number): JsonValue {
    pos++; // '['
    const out: JsonValue[] = [];
    skipWhitespace();
    if (text[pos] === ']') {
      pos++;
      return out;
    }
    for (;;) {
      out.push(parseValue(depth));
      skipWhitespace();
      if (text[pos] === ',') {
        pos++;
        continue;
      }
      expect(']');
      return out;
    }
  }

  const value = parseValue(0);
  skipWhitespace();
  if (pos < text.length) fail('unexpected data after the JSON value (one object per frame)');
  return firstProblem
    ? { value, problem: { error: firstProblem, topLevelKeys: problemKeys } }
    : { value };
}
