// fast-check arbitraries for hostile QMP frames, written as raw text so that they can hold what a
// JavaScript value cannot: escaped lone surrogates, integer literals past 2^53, 1e400, malformed
// tokens. Command and argument names come from the live schema (liveCommands).
import fc from 'fast-check';

export interface LiveCommand {
  name: string;
  args: string[];
}

/** Commands of a query-qmp-schema return, with the member names of their argument objects. */
export function liveCommands(schema: unknown): LiveCommand[] {
  const entries = schema as { name: string; 'meta-type': string; [k: string]: unknown }[];
  const objects = new Map(entries.map((e) => [e.name, e]));
  return entries
    .filter((e) => e['meta-type'] === 'command')
    .map((e) => {
      const argType = objects.get(String(e['arg-type']));
      const members = (argType?.members ?? []) as { name: string }[];
      return { name: e.name, args: members.map((m) => m.name) };
    });
}

const hex = (n: number) => n.toString(16).padStart(4, '0');

/** The code units QEMU refuses or that sit at an edge: surrogates, noncharacters, NUL, BOM. */
const edgeUnit = fc.constantFrom(
  0x0000,
  0x001f,
  0x007f,
  0xd800,
  0xdbff,
  0xdc00,
  0xdfff,
  0xfdd0,
  0xfdef,
  0xfdcf,
  0xfdf0,
  0xfeff,
  0xfffd,
  0xfffe,
  0xffff,
);

// Random \u escapes stay below the surrogates (fast-check favours a range's ends, and U+FFFF is a
// noncharacter); the edges come from edgeUnit and the pairs below, often enough but not always.
const escape = fc.oneof(
  {
    arbitrary: fc.constantFrom('\\n', '\\t', '\\"', '\\\\', '\\/', '\\b', '\\f', '\\r'),
    weight: 4,
  },
  { arbitrary: fc.integer({ min: 0x20, max: 0xd7ff }).map((n) => `\\u${hex(n)}`), weight: 3 },
  edgeUnit.map((n) => `\\u${hex(n)}`),
  fc
    .tuple(fc.integer({ min: 0xd800, max: 0xdbff }), fc.integer({ min: 0xdc00, max: 0xdfff }))
    .map(([high, low]) => `\\u${hex(high)}\\u${hex(low)}`),
  fc.constantFrom('\\ud83f\\udffe', '\\udbff\\udfff', '\\ud800\\ud800', '\\udc00\\ud800'),
);

// Any code point but a lone surrogate (a WebSocket text frame cannot carry one); the characters
// JSON needs escaped are escaped, except sometimes a raw control character (malformed on purpose).
const rawText = fc
  .tuple(fc.string({ unit: 'binary', maxLength: 12 }), fc.boolean())
  .map(([text, keepControl]) =>
    text
      // eslint-disable-next-line no-control-regex -- control characters are what is matched here
      .replace(/["\\\u0000-\u001f]/g, (c) =>
        keepControl && c !== '"' && c !== '\\' ? c : `\\u${hex(c.charCodeAt(0))}`,
      )
      // fast-check favours the ends of the range (U+10FFFF, U+FFFF): noncharacters come from
      // rawNoncharacter instead, at a rate that leaves most frames for QEMU to read
      .replace(
        /[\ufdd0-\ufdef\ufffe\uffff]|[\ud83f\ud87f\ud8bf\ud8ff\ud93f\ud97f\ud9bf\ud9ff\uda3f\uda7f\udabf\udaff\udb3f\udb7f\udbbf\udbff][\udffe\udfff]/g,
        '~',
      ),
  );
const rawNoncharacter = fc.constantFrom('\ufffe', '\uffff', '\ufdd0', '\u{10ffff}', '\u{1fffe}');
const longRun = fc
  .tuple(fc.constantFrom('a', 'é', '\u{1f600}', '\\u00e9'), fc.integer({ min: 500, max: 6000 }))
  .map(([unit, n]) => unit.repeat(n));

const oddString = fc
  .array(
    fc.oneof(
      { arbitrary: rawText, weight: 12 },
      { arbitrary: escape, weight: 4 },
      { arbitrary: rawNoncharacter, weight: 1 },
      { arbitrary: longRun, weight: 1 },
    ),
    { maxLength: 4 },
  )
  .map((parts) => `"${parts.join('')}"`);

const plainString = fc.array(rawText, { maxLength: 3 }).map((parts) => `"${parts.join('')}"`);

/** Mostly plain strings, so that most frames reach QEMU; one in five holds something odd. */
export const stringLiteral = fc.oneof(
  { arbitrary: plainString, weight: 4 },
  { arbitrary: oddString, weight: 1 },
);

const numberLiteral = fc.oneof(
  { arbitrary: fc.integer().map(String), weight: 6 },
  { arbitrary: fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String), weight: 1 },
  fc.constantFrom(
    '9007199254740991',
    '9007199254740992',
    '9007199254740993',
    '18446744073709551615',
    '18446744073709551616',
    '-9223372036854775808',
    '-0',
    '1e400',
    '-1e400',
    '1e-400',
    '1.7976931348623157e308',
    '4.9e-324',
    '0.1',
  ),
  fc
    .tuple(fc.integer(), fc.nat(999_999), fc.integer({ min: -400, max: 400 }))
    .map(([whole, fraction, exp]) => `${whole}.${fraction}e${exp}`),
);

const malformed = fc.constantFrom(
  "'single'",
  'NaN',
  'Infinity',
  '01',
  '1.',
  '.5',
  '+1',
  '[1,]',
  '{"a":1,}',
  '{"a":1,"a":2}',
  '"\\x41"',
  '"\\u12"',
  'tru',
  '{"a" 1}',
  '[',
);

const leaf = fc.oneof(
  { arbitrary: stringLiteral, weight: 8 },
  { arbitrary: numberLiteral, weight: 6 },
  { arbitrary: fc.constantFrom('true', 'false', 'null'), weight: 4 },
  { arbitrary: malformed, weight: 1 },
);

const { value } = fc.letrec<{ value: string; array: string; object: string }>((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, leaf, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }).map((items) => `[${items.join(',')}]`),
  object: fc
    .uniqueArray(fc.tuple(stringLiteral, tie('value')), { maxLength: 4, selector: ([k]) => k })
    .map((pairs) => `{${pairs.map(([k, v]) => `${k}:${v}`).join(',')}}`),
}));

/** Nesting from 1 to 90 levels; the proxy's limit is 64, QEMU's 1024. */
const deep = fc
  .tuple(fc.integer({ min: 1, max: 90 }), leaf, fc.boolean())
  .map(([n, inner, object]) =>
    object ? '{"a":'.repeat(n) + inner + '}'.repeat(n) : '['.repeat(n) + inner + ']'.repeat(n),
  );

export const hostileValue = fc.oneof(
  { arbitrary: value, weight: 4 },
  { arbitrary: deep, weight: 1 },
);

/** How a frame names its id; `seq` makes every id of a run distinct. */
export type IdKind = 'string' | 'int' | 'float' | 'object' | 'array' | 'null' | 'huge' | 'none';
export function idText(kind: IdKind, seq: number): string | undefined {
  switch (kind) {
    case 'string':
      return `"f-${seq}"`;
    case 'int':
      return String(seq);
    case 'float':
      return `${seq}.25e0`;
    case 'object':
      return `{"n":${seq},"k":[true,null,{"__proto__":1}]}`;
    case 'array':
      return `[${seq},"x",{}]`;
    case 'null':
      return 'null';
    case 'huge': // not exactly representable: the proxy refuses the frame, so no id can come back
      return `${seq}00000000000000000000001`;
    case 'none':
      return undefined;
  }
}

export interface FrameSpec {
  command: string;
  members: [string, string][];
  argsShape: 'object' | 'absent' | 'not-an-object';
  idKind: IdKind;
  extraTop: boolean;
}

export function frameSpec(commands: LiveCommand[]): fc.Arbitrary<FrameSpec> {
  const command = fc.oneof(
    { arbitrary: fc.constantFrom(...commands), weight: 9 },
    {
      arbitrary: fc
        .constantFrom('no-such-command', 'x-'.repeat(40))
        .map((name) => ({ name, args: [] })),
      weight: 1,
    },
  );
  return command.chain((cmd) =>
    fc.record({
      command: fc.constant(cmd.name),
      members: fc
        .tuple(
          fc
            .subarray(cmd.args)
            .chain((names) =>
              fc.tuple(
                ...names.map((n) =>
                  hostileValue.map((v): [string, string] => [JSON.stringify(n), v]),
                ),
              ),
            ),
          fc.array(fc.tuple(stringLiteral, hostileValue), { maxLength: 2 }),
        )
        .map(([known, unknown]) => [...known, ...unknown]),
      argsShape: fc.oneof(
        { arbitrary: fc.constant('object' as const), weight: 8 },
        fc.constantFrom('absent' as const, 'not-an-object' as const),
      ),
      idKind: fc.constantFrom<IdKind>(
        'string',
        'int',
        'float',
        'object',
        'array',
        'null',
        'huge',
        'none',
      ),
      extraTop: fc.oneof({ arbitrary: fc.constant(false), weight: 12 }, fc.constant(true)),
    }),
  );
}

/** The frame's text and the id a reply must carry (undefined: no id can come back). */
export function frameText(spec: FrameSpec, seq: number): { text: string; id?: unknown } {
  const parts = [`"execute":${JSON.stringify(spec.command)}`];
  const members = spec.members.map(([k, v]) => `${k}:${v}`).join(',');
  if (spec.argsShape === 'object') parts.push(`"arguments":{${members}}`);
  if (spec.argsShape === 'not-an-object') parts.push(`"arguments":[${members ? '1' : ''}]`);
  if (spec.extraTop) parts.push('"control":{"run-oob":true}');
  const id = idText(spec.idKind, seq);
  if (id !== undefined) parts.push(`"id":${id}`);
  const text = `{${parts.join(',')}}`;
  return spec.idKind === 'none' || spec.idKind === 'huge'
    ? { text }
    : { text, id: JSON.parse(id!) };
}
