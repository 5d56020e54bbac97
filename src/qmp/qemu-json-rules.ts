// What QEMU's JSON parser refuses although RFC 8259 allows it, checked on the proxy's side so that
// no client frame makes QEMU answer without an id (qobject/json-parser.c, util/unicode.c; verified
// against QEMU 7.2 and 10.0 by test/integration/proxy-json-hostile.test.ts). The proxy re-serialises
// with JSON.stringify, so QEMU's lexer only ever sees well-formed JSON; what is left are values:
// - strings (and keys) must hold Unicode scalar values only: QEMU refuses an unpaired surrogate,
//   escaped or not, and the noncharacters U+FDD0..U+FDEF and U+xFFFE/U+xFFFF (its UTF-8 decoder
//   counts them as invalid), each with one id-less error for the whole object;
// - U+0000 is accepted by QEMU but kept as the overlong pair C0 80, so a name holding it is not the
//   name the client wrote; nothing in QMP needs it, so it is refused too;
// - numbers must survive JSON.parse → JSON.stringify: 1e400 becomes Infinity (written as null) and
//   an integer beyond ±2^53 would reach QEMU as a different integer.
// Nesting is capped by the strict parser far below QEMU's limit of 1024 (json-streamer.c, where a
// deeper object is answered with one id-less error per remaining token), and the 64 KiB frame cap
// keeps a message far below the streamer's 64 MiB / 2M-token limits. A lexical error (a raw control
// character in a string) is answered the same way, one error per token; JSON.stringify never
// writes one. QEMU reads 1e400 as infinity and would print it back as `inf`, which is not JSON.

/** QEMU's nesting limit (MAX_NESTING in qobject/json-streamer.c). */
export const QEMU_MAX_NESTING = 1024;

function isNoncharacter(codePoint: number): boolean {
  return (codePoint >= 0xfdd0 && codePoint <= 0xfdef) || (codePoint & 0xfffe) === 0xfffe;
}

const hex = (codePoint: number) => `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;

/** Why QEMU would refuse (or alter) this string, or null when it passes unchanged. */
export function qemuStringProblem(text: string): string | null {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit === 0) return 'U+0000 in a string (QEMU would not keep it as written)';
    if (unit >= 0xdc00 && unit <= 0xdfff) return `unpaired surrogate ${hex(unit)} in a string`;
    let codePoint = unit;
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return `unpaired surrogate ${hex(unit)} in a string`;
      codePoint = 0x10000 + ((unit - 0xd800) << 10) + (next - 0xdc00);
      i++;
    }
    if (isNoncharacter(codePoint)) {
      return `noncharacter ${hex(codePoint)} in a string (QEMU refuses it)`;
    }
  }
  return null;
}

/**
 * Why a number literal cannot be passed on exactly, or null. `value` is Number(literal).
 * Fractions and exponents are doubles on both sides (QEMU reads them with strtod); an integer
 * literal must be one that JSON.stringify writes back digit for digit.
 */
export function qemuNumberProblem(literal: string, value: number): string | null {
  if (!Number.isFinite(value)) return 'number out of range';
  if (/[.eE]/.test(literal) || Number.isSafeInteger(value)) return null;
  // JSON.stringify writes the shortest digits that round back to the double: 2^60 comes out as
  // 1152921504606847000, which QEMU would read as another integer.
  return String(value) === BigInt(literal).toString()
    ? null
    : `integer ${literal.slice(0, 32)} cannot be passed on exactly (beyond ±2^53 it would change)`;
}
