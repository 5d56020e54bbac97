// What both shapes of the QMP reference manual say about one definition, and how that becomes
// the same QapiDefinition the qapi/*.json parser produces (src/schema/qapi-docs.ts), so the forms
// follow one doc model whichever source the server was given. The manual is generated from the
// QAPI doc comments (docs/sphinx/qapidoc.py): "The members of X" is a named base (or a command's
// boxed/named argument type), "... when TAG is VALUE" a union branch.
import type { DefinitionKind, QapiDefinition } from '../../src/schema/qapi-docs.ts';

export type ManualKind = 'Object' | 'Enum' | 'Alternate' | 'Command' | 'Event';

export type ManualEntry =
  | { entry: 'member'; name: string; type?: string; text: string }
  | { entry: 'base'; of: string }
  | { entry: 'branch'; tag: string; value: string; of: string };

export interface ManualDefinition {
  name: string;
  kind: ManualKind;
  description: string;
  since?: string;
  returns?: string;
  entries: ManualEntry[];
}

/**
 * The manual names builtin types for readers (`string`, `boolean`, `array of X`) and prints every
 * integer width as `int`: those map back to QAPI spellings, and `int` to '' (width unknown), so
 * the form keeps its own default range instead of assuming int64.
 */
export function qapiTypeOf(shown: string): string {
  const type = shown.trim();
  const list = /^array of (.+)$/.exec(type) ?? /^\[(.+)\]$/.exec(type);
  if (list?.[1]) return `[${qapiTypeOf(list[1]) || 'int'}]`;
  if (type === 'string') return 'str';
  if (type === 'boolean') return 'bool';
  if (type === 'int') return '';
  return type;
}

/** Paragraphs of lines → one string: lines joined by spaces, paragraphs by a blank line. */
export function joinParagraphs(paragraphs: string[][]): string {
  return paragraphs
    .map((lines) => lines.join(' ').replace(/\s+/g, ' ').trim())
    .filter(Boolean)
    .join('\n\n');
}

export function toQapiDefinition(raw: ManualDefinition, file: string): QapiDefinition {
  const hasBranches = raw.entries.some((e) => e.entry === 'branch');
  const kinds: Record<ManualKind, DefinitionKind> = {
    Object: hasBranches ? 'union' : 'struct',
    Enum: 'enum',
    Alternate: 'alternate',
    Command: 'command',
    Event: 'event',
  };
  const kind = kinds[raw.kind];
  const definition: QapiDefinition = {
    name: raw.name,
    kind,
    file,
    members: new Map(),
    branches: new Map(),
    doc: {
      name: raw.name,
      description: raw.description,
      members: {},
      ...(raw.since ? { since: raw.since } : {}),
      ...(raw.returns ? { returns: raw.returns } : {}),
    },
  };
  for (const entry of raw.entries) {
    if (entry.entry === 'member') {
      if (entry.text) definition.doc!.members[entry.name] = entry.text;
      if (kind === 'alternate') definition.branches.set(entry.name, entry.type ?? '');
      else if (kind !== 'enum') definition.members.set(entry.name, entry.type ?? '');
    } else if (entry.entry === 'branch') {
      definition.branches.set(entry.value, entry.of);
    } else if (kind === 'command' || kind === 'event') {
      definition.argType = entry.of;
    } else {
      definition.base = entry.of;
    }
  }
  return definition;
}
