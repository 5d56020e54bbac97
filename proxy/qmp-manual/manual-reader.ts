// The state both manual walkers share (manual-parser.ts): the definition being read, the member
// entry being read, and which part of the definition the current text belongs to. Lines join
// into paragraphs; entries are handed to the walker's interpreter once complete.
import {
  joinParagraphs,
  type ManualDefinition,
  type ManualEntry,
  type ManualKind,
} from './manual-definitions.ts';

export type Section = 'description' | 'members' | 'since' | 'returns' | 'skip';

export function sectionOf(title: string): Section {
  if (/^(Arguments|Members|Values|Alternatives)$/.test(title)) return 'members';
  if (title === 'Since') return 'since';
  if (/^Returns?$/.test(title)) return 'returns';
  return 'skip';
}

/** A definition being read: paragraphs per destination, entries as (head, paragraphs). */
export class Reader {
  readonly out: ManualDefinition[] = [];
  private def: {
    raw: ManualDefinition;
    description: string[][];
    since: string[][];
    returns: string[][];
  } | null = null;
  private entry: { head: string | null; text: string[][] } | null = null;
  section: Section = 'skip';

  constructor(private readonly interpret: (head: string, text: string) => ManualEntry | null) {}

  get open(): boolean {
    return this.def !== null;
  }

  begin(name: string, kind: ManualKind, since?: string): void {
    this.end();
    this.def = {
      raw: { name, kind, description: '', entries: [], ...(since ? { since } : {}) },
      description: [[]],
      since: [[]],
      returns: [[]],
    };
    this.out.push(this.def.raw);
    this.section = 'description';
  }

  end(): void {
    this.closeEntry();
    const def = this.def;
    if (!def) return;
    def.raw.description = joinParagraphs(def.description);
    const since = joinParagraphs(def.since);
    if (since) def.raw.since = since;
    const returns = joinParagraphs(def.returns);
    if (returns) def.raw.returns = returns;
    this.def = null;
    this.section = 'skip';
  }

  openEntry(): void {
    this.closeEntry();
    if (this.def && this.section === 'members') this.entry = { head: null, text: [[]] };
  }

  closeEntry(): void {
    const entry = this.entry;
    this.entry = null;
    if (!entry?.head || !this.def) return;
    const parsed = this.interpret(entry.head, joinParagraphs(entry.text));
    if (parsed) this.def.raw.entries.push(parsed);
  }

  text(line: string): void {
    if (!this.def) return;
    if (this.entry) {
      if (this.entry.head === null) this.entry.head = line;
      else this.entry.text.at(-1)!.push(line);
      return;
    }
    const target =
      this.section === 'description'
        ? this.def.description
        : this.section === 'since'
          ? this.def.since
          : this.section === 'returns'
            ? this.def.returns
            : null;
    target?.at(-1)!.push(line);
  }

  paragraph(): void {
    const target =
      this.entry?.text ?? (this.section === 'description' ? this.def?.description : null);
    if (target && target.at(-1)!.length > 0) target.push([]);
  }
}
