// Reads one member's text straight out of an installed QMP reference manual, with a few string
// searches instead of Blockscope's parser: what a test expects the page to show is derived from
// the file independently of the code under test.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

export const SYSTEM_MANUAL = '/usr/share/man/man7/qemu-qmp-ref.7.gz';
export const QSD_MANUAL = '/usr/share/man/man7/qemu-storage-daemon-qmp-ref.7.gz';

const roffName = (name: string) => name.replaceAll('-', '\\-');

const plain = (lines: string[]) =>
  lines
    .join(' ')
    .replaceAll('\\-', '-')
    .replaceAll('\\(aq', "'")
    .replaceAll('\\(dq', '"')
    .replace(/\\f[BIPR]/g, '')
    .replaceAll('\\&', '')
    .replaceAll('\\%', '')
    .replace(/\s+/g, ' ')
    .trim();

/**
 * A member's text: the lines after `.B \fBmember\fP:` inside `.SS \fBdefinition\fP (…)` (QEMU up
 * to 9.2), or after the `\-\-` of the `\fBmember\fP (` bullet under `.B Kind  definition`
 * (QEMU 10.0 and later), up to the next request line.
 */
export function manualMemberText(path: string, definition: string, member: string): string {
  const lines = gunzipSync(readFileSync(path)).toString('utf8').split('\n');
  const name = roffName(definition);
  const start = lines.findIndex(
    (l) =>
      l.startsWith(`.SS \\fB${name}\\fP (`) ||
      new RegExp(`^\\.B \\w+  ${name.replaceAll('\\', '\\\\')}  `).test(l),
  );
  if (start < 0) throw new Error(`${definition} not in ${path}`);
  const heads = [`.B \\fB${roffName(member)}\\fP:`, `\\fB${roffName(member)}\\fP (`];
  const head = lines.findIndex((l, i) => i > start && heads.some((h) => l.startsWith(h)));
  if (head < 0) throw new Error(`${definition}.${member} not in ${path}`);
  const first = lines[head]!.split(' \\-\\- ')[1];
  const text = first === undefined ? [] : [first];
  for (const line of lines.slice(head + 1)) {
    if (line.startsWith('.')) break;
    text.push(line);
  }
  return plain(text);
}

/** The version field of the manual's `.TH` line. */
export function manualVersion(path: string): string {
  const text = gunzipSync(readFileSync(path)).toString('utf8');
  const th = /^\.TH "[^"]*" "[^"]*" "[^"]*" "([^"]*)"/m.exec(text);
  if (!th?.[1]) throw new Error(`no .TH version in ${path}`);
  return th[1];
}
