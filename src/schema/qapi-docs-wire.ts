// The doc model as JSON, as GET /api/qapi-docs/NAME sends it: the server parses whichever source
// it has (QEMU's qapi/*.json given by --qapi-docs, or the installed QMP reference manual) into
// QapiDocs and the page turns the JSON back into the same maps. One model, whatever the source.
import type { DocBlock } from './qapi-doc-comments.ts';
import type { DefinitionKind, QapiDefinition, QapiDocs } from './qapi-docs.ts';

export interface WireDefinition {
  name: string;
  kind: DefinitionKind;
  file: string;
  members: [string, string][];
  branches: [string, string][];
  base?: string;
  argType?: string;
  doc?: DocBlock;
}

/** Where the server's docs come from, so the page can say when they may not match the target. */
export type DocsSource =
  | { kind: 'qapi-files'; dir: string }
  | { kind: 'manual'; path: string; version: string; program: string };

export interface FieldDocsResponse {
  source: DocsSource;
  /** The target's QEMU version from its greeting, when it is connected. */
  targetVersion?: string;
  definitions: WireDefinition[];
}

export function definitionToWire(definition: QapiDefinition): WireDefinition {
  return {
    name: definition.name,
    kind: definition.kind,
    file: definition.file,
    members: [...definition.members],
    branches: [...definition.branches],
    ...(definition.base !== undefined ? { base: definition.base } : {}),
    ...(definition.argType !== undefined ? { argType: definition.argType } : {}),
    ...(definition.doc ? { doc: definition.doc } : {}),
  };
}

const KINDS = new Set<string>(['struct', 'union', 'alternate', 'enum', 'command', 'event']);

function pairs(value: unknown): [string, string][] {
  if (!Array.isArray(value)) return [];
  return value.filter(
    (p): p is [string, string] =>
      Array.isArray(p) && typeof p[0] === 'string' && typeof p[1] === 'string',
  );
}

function docOf(value: unknown, name: string): DocBlock | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const raw = value as Record<string, unknown>;
  const members: Record<string, string> = {};
  if (typeof raw.members === 'object' && raw.members !== null) {
    for (const [key, text] of Object.entries(raw.members)) {
      if (typeof text === 'string') members[key] = text;
    }
  }
  return {
    name,
    description: typeof raw.description === 'string' ? raw.description : '',
    members,
    ...(typeof raw.since === 'string' ? { since: raw.since } : {}),
    ...(typeof raw.returns === 'string' ? { returns: raw.returns } : {}),
  };
}

/** Rebuilds QapiDocs from the server's JSON, keeping only well-formed definitions. */
export function docsFromWire(definitions: unknown): QapiDocs {
  const map = new Map<string, QapiDefinition>();
  for (const item of Array.isArray(definitions) ? definitions : []) {
    if (typeof item !== 'object' || item === null) continue;
    const raw = item as Record<string, unknown>;
    if (typeof raw.name !== 'string' || typeof raw.kind !== 'string' || !KINDS.has(raw.kind))
      continue;
    const doc = docOf(raw.doc, raw.name);
    map.set(raw.name, {
      name: raw.name,
      kind: raw.kind as DefinitionKind,
      file: typeof raw.file === 'string' ? raw.file : '',
      members: new Map(pairs(raw.members)),
      branches: new Map(pairs(raw.branches)),
      ...(typeof raw.base === 'string' ? { base: raw.base } : {}),
      ...(typeof raw.argType === 'string' ? { argType: raw.argType } : {}),
      ...(doc ? { doc } : {}),
    });
  }
  return { definitions: map };
}
