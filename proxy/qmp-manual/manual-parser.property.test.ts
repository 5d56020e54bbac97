// Whatever a manual page holds, the parser returns plain definitions and never throws: the file is
// input from disk, and a damaged or hostile page must cost at most its own help text.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseManualDefinitions } from './manual-parser.ts';

const FRAGMENTS = [
  '.SS \\fBx\\-y\\fP (Command)',
  '.SS Arguments',
  '.SS Members',
  '.SS Since',
  '.TP',
  '.B \\fBa\\fP: \\fBint\\fP (optional)',
  '.B The members of \\fBT\\fP when \\fBk\\fP is \\fB\\(dqv\\(dq\\fP',
  '.B Command  q\\-x  (Since: 1.0)',
  '.B Object  T  (Since: 1.0)',
  '.B Members',
  '.IP \\(bu 2',
  '\\fBm\\fP (\\fBstring\\fP, \\fIoptional\\fP) \\-\\- text',
  'When \\fBk\\fP is \\fBv\\fP: The members of \\fI\\%U\\fP\\&.',
  '.INDENT 7.0',
  '.UNINDENT',
  '.nf',
  '.fi',
  '.sp',
  '.SH X',
  'plain text \\(aq \\e \\[em] \\f(CW',
];

describe('the QMP manual parser on arbitrary input', () => {
  it('never throws and yields only string names, kinds and texts', () => {
    const line = fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 40 }));
    fc.assert(
      fc.property(fc.array(line, { maxLength: 80 }), (lines) => {
        const definitions = parseManualDefinitions(lines.join('\n'));
        for (const d of definitions) {
          expect(typeof d.name).toBe('string');
          expect(['Object', 'Enum', 'Alternate', 'Command', 'Event']).toContain(d.kind);
          expect(typeof d.description).toBe('string');
          for (const entry of d.entries) {
            if (entry.entry === 'member') expect(typeof entry.text).toBe('string');
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
