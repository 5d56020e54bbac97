// Parses QEMU's QMP reference manual page (man 7 qemu-qmp-ref, qemu-storage-daemon-qmp-ref) into
// definitions. Two generations of the page exist:
// - up to QEMU 9.2, each definition is a section, `.SS blockdev-mirror (Command)`, with
//   `.SS Arguments` (Members, Values) holding one `.TP` entry per member, `.B buf-size: int
//   (optional)` and then its text, and `.SS Since`;
// - from QEMU 10.0 (the Sphinx QAPI domain), each definition is a `.TP` item,
//   `.B Command  blockdev-mirror  (Since: 2.6)`, whose Arguments list holds bullets such as
//   `buf-size (int, optional) -- text`.
// Both become ManualDefinitions; the page is never shown anything but their plain text.
import {
  qapiTypeOf,
  type ManualDefinition,
  type ManualEntry,
  type ManualKind,
} from './manual-definitions.ts';
import { Reader, sectionOf } from './manual-reader.ts';
import { roffTokens, type RoffToken } from './roff-text.ts';

const KIND = '(Object|Enum|Alternate|Command|Event)';
const SECTION_HEADING = new RegExp(`^(\\S+) \\(${KIND}\\)$`);
const ITEM_HEADING = new RegExp(`^${KIND} {2}(\\S+)(.*)$`);
const IF = String.raw`(?: \(If: [^)]*\))?`;

const SECTION_BRANCH = new RegExp(`^The members of (\\S+) when (\\S+) is "([^"]+)"${IF}$`);
const SECTION_BASE = new RegExp(`^The members of (\\S+)${IF}$`);
const SECTION_MEMBER = new RegExp(`^([\\w.+-]+)(?:: (.+?))?(?: \\(optional\\))?${IF}$`);

/** `.B buf-size: int (optional)`, `.B The members of X when driver is "file"`, `.B top`. */
function sectionEntry(head: string, text: string): ManualEntry | null {
  const branch = SECTION_BRANCH.exec(head);
  if (branch) return { entry: 'branch', of: branch[1]!, tag: branch[2]!, value: branch[3]! };
  const base = SECTION_BASE.exec(head);
  if (base) return { entry: 'base', of: base[1]! };
  const member = SECTION_MEMBER.exec(head);
  if (!member) return null;
  const type = member[2] === undefined ? undefined : qapiTypeOf(member[2]);
  return { entry: 'member', name: member[1]!, ...(type !== undefined ? { type } : {}), text };
}

/** `buf-size (int, optional) -- text…`, `When driver is file: The members of X.`, `top -- text`. */
function itemEntry(head: string, text: string): ManualEntry | null {
  const branch = /^When (\S+) is (\S+): The members of (\S+?)\.?$/.exec(head);
  if (branch) return { entry: 'branch', tag: branch[1]!, value: branch[2]!, of: branch[3]! };
  const base = /^The members of (\S+?)\.?$/.exec(head);
  if (base) return { entry: 'base', of: base[1]! };
  const dash = head.indexOf(' -- ');
  const left = dash < 0 ? head : head.slice(0, dash);
  const first = dash < 0 ? '' : head.slice(dash + 4);
  const member = /^([\w.+-]+)(?: \(([^,)]+)(?:, optional)?\))?$/.exec(left.trim());
  if (!member) return null;
  const type = member[2] === undefined ? undefined : qapiTypeOf(member[2]);
  const full = [first, text]
    .filter(Boolean)
    .join(' ')
    .replace(/[ \t]+/g, ' ')
    .trim();
  return { entry: 'member', name: member[1]!, ...(type !== undefined ? { type } : {}), text: full };
}

function readSectionShape(tokens: RoffToken[]): ManualDefinition[] {
  const reader = new Reader(sectionEntry);
  let depth = 0;
  let list = -1; // indent depth of the open member list
  for (const token of tokens) {
    switch (token.request) {
      case 'SH':
        reader.end();
        break;
      case 'SS': {
        reader.closeEntry();
        const heading = SECTION_HEADING.exec(token.text);
        if (heading) reader.begin(heading[1]!, heading[2] as ManualKind);
        else if (reader.open) reader.section = sectionOf(token.text);
        list = -1;
        break;
      }
      case 'INDENT':
        depth++;
        if (reader.section === 'members' && list < 0) list = depth;
        break;
      case 'UNINDENT':
        depth--;
        if (list >= 0 && depth < list) {
          reader.closeEntry();
          reader.section = 'skip';
          list = -1;
        }
        break;
      case 'TP':
        if (reader.section === 'members' && depth === list) reader.openEntry();
        break;
      case 'sp':
      case 'IP':
        reader.paragraph();
        break;
      default:
        reader.text(token.text);
    }
  }
  reader.end();
  return reader.out;
}

function readItemShape(tokens: RoffToken[]): ManualDefinition[] {
  const reader = new Reader(itemEntry);
  let depth = 0;
  let defDepth = -1;
  let list = -1;
  let afterTp = false;
  for (const token of tokens) {
    const heading = afterTp && token.request === 'B';
    afterTp = token.request === 'TP';
    if (heading) {
      const item = ITEM_HEADING.exec(token.text);
      if (item) {
        const since = /\(Since: ([^)]+)\)/.exec(item[3] ?? '')?.[1];
        reader.begin(item[2]!, item[1] as ManualKind, since);
        defDepth = depth;
      } else if (reader.open) {
        reader.closeEntry();
        reader.section = sectionOf(token.text);
        list = -1;
      }
      continue;
    }
    switch (token.request) {
      case 'SH':
      case 'SS':
        reader.end();
        break;
      case 'INDENT':
        depth++;
        if (reader.section === 'description') reader.section = 'skip';
        else if (reader.section === 'members' && list < 0) list = depth;
        break;
      case 'UNINDENT':
        depth--;
        if (list >= 0 && depth < list) {
          reader.closeEntry();
          reader.section = 'skip';
          list = -1;
        }
        if (reader.open && depth < defDepth) reader.end();
        break;
      case 'IP':
        if (reader.section === 'members' && depth === list) reader.openEntry();
        else reader.paragraph();
        break;
      case 'sp':
        reader.paragraph();
        break;
      case 'TP':
        break;
      default:
        reader.text(token.text);
    }
  }
  reader.end();
  return reader.out;
}

/** Every definition of a QMP reference manual page, whichever generation wrote it. */
export function parseManualDefinitions(source: string): ManualDefinition[] {
  const tokens = roffTokens(source);
  const itemShape = tokens.some((t) => t.request === 'B' && ITEM_HEADING.test(t.text));
  return itemShape ? readItemShape(tokens) : readSectionShape(tokens);
}
