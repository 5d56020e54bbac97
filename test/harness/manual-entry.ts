// Reads one member's text straight out of an installed QMP reference manual (the `.SS` shape of
// QEMU up to 9.2), without Blockscope's parser: what a test expects the page to show is derived
// from the file independently of the code under test.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

export const SYSTEM_MANUAL = '/usr/share/man/man7/qemu-qmp-ref.7.gz';
export const QSD_MANUAL = '/usr/share/man/man7/qemu-storage-daemon-qmp-ref.7.gz';

const roffName = (name: string) => name.replaceAll('-', '\\-');

/** The text lines after `.B \fBmember\fP:` inside the `.SS \fBdefinition\fP (…)` section. */
export function manualMemberText(path: string, definition: string, member: string): string {
  const lines = gunzipSync(readFileSync(path)).toString('utf8').split('\n');
  const start = lines.findIndex((l) => l.startsWith(`.SS \\fB${roffName(definition)}\\fP (`));
  if (start < 0) throw new Error(`${definition} not in ${path}`);
  const head = lines.findIndex(
    (l, i) => i > start && l.startsWith(`.B \\fB${roffName(member)}\\fP:`),
  );
  if (head < 0) throw new Error(`${definition}.${member} not in ${path}`);
  const text: string[] = [];
  for (const line of lines.slice(head + 1)) {
    if (line.startsWith('.')) break;
    text.push(line);
  }
  return text
    .join(' ')
    .replaceAll('\\-', '-')
    .replaceAll('\\(aq', "'")
    .replaceAll('\\(dq', '"')
    .replace(/\\f[BIPR]/g, '')
    .replaceAll('\\&', '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The version field of the manual's `.TH` line. */
export function manualVersion(path: string): string {
  const text = gunzipSync(readFileSync(path)).toString('utf8');
  const th = /^\.TH "[^"]*" "[^"]*" "[^"]*" "([^"]*)"/m.exec(text);
  if (!th?.[1]) throw new Error(`no .TH version in ${path}`);
  return th[1];
}
