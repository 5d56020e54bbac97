// QMP messages written the way QEMU writes them on its own socket (qobject/json-writer.c): ", " and
// ": " between members, every character outside printable ASCII as an upper-case \uXXXX escape (a
// character beyond the BMP as its two UTF-16 halves), and the members of a reply or an event in
// QEMU's order: `{"return": …, "id": …}`, `{"id": …, "error": …}`, `{"timestamp": …, "event": …,
// "data": …}`. Tools that match QEMU's text rather than parse it see the same bytes. Numbers are
// JavaScript's shortest form (QEMU prints a fraction with 17 digits; block-layer replies have none).
import type { JsonObject, JsonValue } from '../src/qmp/wire.ts';

const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

const SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

function quote(text: string): string {
  if (PLAIN.test(text)) return `"${text}"`;
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    const code = text.charCodeAt(i);
    const short = SHORT_ESCAPES[ch];
    if (short) out += short;
    else if (code < 0x20 || code >= 0x7f)
      out += `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
    else out += ch;
  }
  return out + '"';
}

function write(value: JsonValue, parts: string[]): void {
  if (value === null) parts.push('null');
  else if (typeof value === 'string') parts.push(quote(value));
  else if (typeof value === 'number' || typeof value === 'boolean') parts.push(String(value));
  else if (Array.isArray(value)) {
    parts.push('[');
    value.forEach((item, i) => {
      if (i > 0) parts.push(', ');
      write(item, parts);
    });
    parts.push(']');
  } else {
    writeMembers(Object.keys(value), value, parts);
  }
}

function writeMembers(keys: string[], object: JsonObject, parts: string[]): void {
  parts.push('{');
  let first = true;
  for (const key of keys) {
    const member = object[key];
    if (member === undefined) continue;
    if (!first) parts.push(', ');
    first = false;
    parts.push(quote(key), ': ');
    write(member, parts);
  }
  parts.push('}');
}

/** The top-level members in the order QEMU writes them. */
function envelopeOrder(message: JsonObject): string[] {
  const keys = Object.keys(message);
  const front =
    'event' in message ? ['timestamp', 'event', 'data'] : 'error' in message ? ['id', 'error'] : [];
  const present = front.filter((key) => key in message);
  return [...present, ...keys.filter((key) => !present.includes(key))];
}

/** One message as QEMU's text, without the line ending. */
export function qemuMessageText(message: JsonObject): string {
  const parts: string[] = [];
  writeMembers(envelopeOrder(message), message, parts);
  return parts.join('');
}
