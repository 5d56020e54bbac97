// Reads the expression part of QEMU's qapi/*.json schema files: a sequence of Python-style
// dictionaries (single-quoted strings, `#` comments, true/false). Only what the docs feature needs
// is kept: each definition's kind, members with their declared types, base, union branches.

export type QapiValue = string | boolean | QapiValue[] | { [key: string]: QapiValue };

/** Tokenises and parses every top-level expression of one file; stops quietly at garbage. */
export function parseQapiExpressions(text: string): { [key: string]: QapiValue }[] {
  const tokens = tokenize(text);
  const out: { [key: string]: QapiValue }[] = [];
  let pos = 0;
  const next = () => tokens[pos++];
  const value = (): QapiValue => {
    const token = next();
    if (token === undefined) throw new Error('unexpected end');
    if (token === '{') {
      const dict: { [key: string]: QapiValue } = {};
      while (tokens[pos] !== '}') {
        const key = next();
        if (key === undefined || !key.startsWith("'")) throw new Error('expected a key');
        if (next() !== ':') throw new Error('expected :');
        dict[key.slice(1)] = value();
        if (tokens[pos] === ',') pos++;
      }
      pos++;
      return dict;
    }
    if (token === '[') {
      const list: QapiValue[] = [];
      while (tokens[pos] !== ']') {
        list.push(value());
        if (tokens[pos] === ',') pos++;
      }
      pos++;
      return list;
    }
    if (token.startsWith("'")) return token.slice(1);
    if (token === 'true' || token === 'false') return token === 'true';
    throw new Error(`unexpected ${token}`);
  };
  while (pos < tokens.length) {
    const start = pos;
    try {
      const expr = value();
      if (typeof expr === 'object' && !Array.isArray(expr)) out.push(expr);
    } catch {
      // Skip to the next top-level `{` so one damaged expression does not hide the rest.
      pos = start + 1;
      while (pos < tokens.length && tokens[pos] !== '{') pos++;
    }
  }
  return out;
}

/** Tokens: punctuation, `'string` (a leading quote marks strings), and bare words. */
function tokenize(text: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] ?? '';
    if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if ('{}[]:,'.includes(c)) {
      tokens.push(c);
      i++;
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) break;
      tokens.push(`'${text.slice(i + 1, end)}`);
      i = end + 1;
    } else if (/[A-Za-z]/.test(c)) {
      let j = i;
      while (j < text.length && /[A-Za-z]/.test(text[j] ?? '')) j++;
      tokens.push(text.slice(i, j));
      i = j;
    } else {
      i++;
    }
  }
  return tokens;
}

/** A QAPI type reference as a string: `'int'` stays, `['X']` becomes `[X]`. */
export function typeRef(value: QapiValue | undefined): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && typeof value[0] === 'string') return `[${value[0]}]`;
  if (value && typeof value === 'object' && !Array.isArray(value)) return typeRef(value.type);
  return undefined;
}
