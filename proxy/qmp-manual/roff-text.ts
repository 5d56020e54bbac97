// The groff that rst2man writes for QEMU's QMP reference manual (docs/interop/qemu-qmp-ref.rst,
// built by Sphinx's man builder), turned into plain lines: requests (`.TP`, `.B text`, `.SS …`)
// become tokens, escapes become the characters they stand for, font changes disappear. Examples
// (`.nf` … `.fi`), tables (`.TS` … `.TE`), macro definitions and comments carry no field help and
// are dropped here. The text stays text: nothing here is ever interpreted as markup by the page.

export type RoffToken =
  | { request: 'text'; text: string }
  | { request: 'SH' | 'SS' | 'B' | 'IP'; text: string }
  | { request: 'TP' | 'INDENT' | 'UNINDENT' | 'sp' };

const NAMED: Record<string, string> = {
  aq: "'",
  dq: '"',
  bu: '•',
  em: '—',
  en: '–',
  ga: '`',
  ha: '^',
  ti: '~',
  rs: '\\',
  lq: '“',
  rq: '”',
  oq: '‘',
  cq: '’',
};

/** Replaces groff escapes in one line of text: `\-`, `\(aq`, `\[xx]`, `\fB…\fP`, `\&`, `\%`. */
export function decodeEscapes(line: string): string {
  return line.replace(
    /\\(?:\(([A-Za-z]{2})|\[([A-Za-z]+)\]|f(?:\(..|\[[^\]]*\]|.)|(.))/g,
    (_all, two: string | undefined, long: string | undefined, one: string | undefined) => {
      const name = two ?? long;
      if (name !== undefined) return NAMED[name] ?? '';
      if (one === undefined) return ''; // a font change
      if (one === '-' || one === ' ' || one === '~') return one === '-' ? '-' : ' ';
      if (one === 'e' || one === '\\') return '\\';
      return ''; // \& \% \: and the rest only steer hyphenation and spacing
    },
  );
}

/** Strips one level of the double quotes groff uses around a macro argument. */
function unquote(text: string): string {
  return text.length >= 2 && text.startsWith('"') && text.endsWith('"') ? text.slice(1, -1) : text;
}

/** Splits a manual page into tokens, skipping what can never hold a definition's help. */
export function roffTokens(source: string): RoffToken[] {
  const tokens: RoffToken[] = [];
  let skipUntil: string | null = null;
  for (const raw of source.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (skipUntil !== null) {
      if (line.startsWith(skipUntil)) skipUntil = null;
      continue;
    }
    if (line.startsWith('.\\"') || line.startsWith('\'\\"')) continue;
    if (!line.startsWith('.')) {
      tokens.push({ request: 'text', text: decodeEscapes(line) });
      continue;
    }
    const match = /^\.\s*([A-Za-z0-9]+)\s*(.*)$/.exec(line);
    const name = match?.[1] ?? '';
    const argument = decodeEscapes(match?.[2] ?? '').trim();
    if (name === 'nf') skipUntil = '.fi';
    else if (name === 'TS') skipUntil = '.TE';
    else if (name === 'de' || name === 'de1') skipUntil = '..';
    else if (name === 'SH' || name === 'SS' || name === 'B' || name === 'IP')
      tokens.push({ request: name, text: unquote(argument) });
    else if (name === 'TP' || name === 'INDENT' || name === 'UNINDENT')
      tokens.push({ request: name });
    else if (name === 'sp' || name === 'PP' || name === 'LP' || name === 'P')
      tokens.push({ request: 'sp' });
    // .TH is read by the caller; .ft, .in, .nr, .RS/.RE only move text around.
  }
  return tokens;
}

/** The `.TH` line: title (QEMU-QMP-REF, QEMU-STORAGE-DAEMON-QMP-REF) and the QEMU version. */
export function manualHeader(source: string): { title: string; version: string } | null {
  const line = /^\.TH[ \t]+(.*)$/m.exec(source.slice(0, 64 * 1024))?.[1];
  if (!line) return null;
  const fields = [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) =>
    decodeEscapes(m[1] ?? m[2] ?? ''),
  );
  const [title, , , version] = fields;
  return title && version ? { title, version } : null;
}
