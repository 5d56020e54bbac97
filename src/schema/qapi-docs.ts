// Documentation for QMP commands and members, read from QEMU's qapi/*.json schema files.
// Introspection carries no docs, so the server may be pointed at the QAPI sources of its QEMU
// (`--qapi-docs DIR`); this pure parser turns them into definitions with their real type names,
// declared member types (int widths such as uint32) and doc text. The QMP manual parser
// (proxy/qmp-manual/) produces the same QapiDefinitions, so the forms read one model.
import { parseDocBlocks, type DocBlock } from './qapi-doc-comments.ts';
import { parseQapiExpressions, typeRef, type QapiValue } from './qapi-expr-parser.ts';

export type DefinitionKind = 'struct' | 'union' | 'alternate' | 'enum' | 'command' | 'event';

export interface QapiDefinition {
  name: string;
  kind: DefinitionKind;
  file: string;
  /** Declared members (names without the `*` optional marker) and their QAPI types. */
  members: Map<string, string>;
  /** Base type name of a struct or union, if it is named (inline bases land in `members`). */
  base?: string;
  /** Union case → variant type; alternate branch name → type. */
  branches: Map<string, string>;
  /** For commands and events whose `data` names a type (e.g. `'data': 'BlockdevOptions'`). */
  argType?: string;
  doc?: DocBlock;
}

export interface QapiDocs {
  definitions: Map<string, QapiDefinition>;
}

const KINDS: DefinitionKind[] = ['struct', 'union', 'alternate', 'enum', 'command', 'event'];

function isDict(value: QapiValue | undefined): value is { [key: string]: QapiValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function membersOf(data: QapiValue | undefined): Map<string, string> {
  const members = new Map<string, string>();
  if (!isDict(data)) return members;
  for (const [key, value] of Object.entries(data)) {
    const type = typeRef(value);
    if (type !== undefined) members.set(key.replace(/^\*/, ''), type);
  }
  return members;
}

function definitionOf(expr: { [key: string]: QapiValue }, file: string): QapiDefinition | null {
  const kind = KINDS.find((k) => typeof expr[k] === 'string');
  if (!kind) return null;
  const name = expr[kind] as string;
  const definition: QapiDefinition = { name, kind, file, members: new Map(), branches: new Map() };
  const { data, base } = expr;
  if (kind === 'union' || kind === 'alternate') {
    definition.branches = membersOf(data);
    if (isDict(base)) definition.members = membersOf(base);
  } else if ((kind === 'command' || kind === 'event') && typeof data === 'string') {
    definition.argType = data;
  } else if (kind !== 'enum') {
    definition.members = membersOf(data);
  }
  if (typeof base === 'string') definition.base = base;
  return definition;
}

/** Parses QAPI schema files (name + text) into definitions keyed by their real names. */
export function parseQapiDocs(files: { name: string; text: string }[]): QapiDocs {
  const definitions = new Map<string, QapiDefinition>();
  const docs = new Map<string, DocBlock>();
  for (const file of files) {
    for (const block of parseDocBlocks(file.text)) docs.set(block.name, block);
    for (const expr of parseQapiExpressions(file.text)) {
      const definition = definitionOf(expr, file.name);
      if (definition) definitions.set(definition.name, definition);
    }
  }
  for (const definition of definitions.values()) {
    const doc = docs.get(definition.name);
    if (doc) definition.doc = doc;
  }
  return { definitions };
}
