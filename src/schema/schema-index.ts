// The schema index: `query-qmp-schema` (qapi/introspect.json) parsed once into typed maps.
// Type names in introspection are masked numbers that differ between binaries and versions,
// so callers always enter through a command or event name and follow references from there.

export type JsonType = 'string' | 'int' | 'number' | 'boolean' | 'null' | 'value';

export interface MemberInfo {
  name: string;
  type: string;
  optional: boolean;
  features: string[];
}

export interface EnumValueInfo {
  name: string;
  features: string[];
}

export type SchemaType =
  | { meta: 'builtin'; name: string; jsonType: JsonType; features: string[] }
  | { meta: 'enum'; name: string; values: EnumValueInfo[]; features: string[] }
  | { meta: 'array'; name: string; element: string; features: string[] }
  | {
      meta: 'object';
      name: string;
      members: MemberInfo[];
      tag?: string;
      variants: { case: string; type: string }[];
      features: string[];
    }
  | { meta: 'alternate'; name: string; branches: string[]; features: string[] };

export interface CommandInfo {
  name: string;
  argType: string;
  retType: string;
  allowOob: boolean;
  features: string[];
}

export interface EventInfo {
  name: string;
  argType: string;
  features: string[];
}

export interface SchemaIndex {
  commands: Map<string, CommandInfo>;
  events: Map<string, EventInfo>;
  types: Map<string, SchemaType>;
  /** Entries whose meta-type this code does not know (a newer QEMU); shown as raw JSON. */
  unknown: Map<string, Record<string, unknown>>;
}

type Raw = Record<string, unknown>;

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function records(value: unknown): Raw[] {
  return Array.isArray(value)
    ? value.filter((v): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v))
    : [];
}

function parseType(entry: Raw, name: string, features: string[]): SchemaType | null {
  switch (entry['meta-type']) {
    case 'builtin':
      return { meta: 'builtin', name, jsonType: entry['json-type'] as JsonType, features };
    case 'enum': {
      // `members` carries per-value features; `values` is deprecated since 6.2 (§2.2).
      const members = records(entry.members);
      const values = members.length
        ? members.map((m) => ({ name: String(m.name), features: strings(m.features) }))
        : strings(entry.values).map((v) => ({ name: v, features: [] }));
      return { meta: 'enum', name, values, features };
    }
    case 'array':
      return { meta: 'array', name, element: String(entry['element-type']), features };
    case 'object':
      return {
        meta: 'object',
        name,
        members: records(entry.members).map((m) => ({
          name: String(m.name),
          type: String(m.type),
          // Only the presence of `default` matters: it means "optional" (introspect.json).
          optional: 'default' in m,
          features: strings(m.features),
        })),
        ...(typeof entry.tag === 'string' ? { tag: entry.tag } : {}),
        variants: records(entry.variants).map((v) => ({
          case: String(v.case),
          type: String(v.type),
        })),
        features,
      };
    case 'alternate':
      return {
        meta: 'alternate',
        name,
        branches: records(entry.members).map((m) => String(m.type)),
        features,
      };
    default:
      return null;
  }
}

/** Builds the index from the raw reply of `query-qmp-schema` (an array of SchemaInfo). */
export function buildSchemaIndex(raw: unknown): SchemaIndex {
  const index: SchemaIndex = {
    commands: new Map(),
    events: new Map(),
    types: new Map(),
    unknown: new Map(),
  };
  for (const entry of records(raw)) {
    const name = String(entry.name);
    const features = strings(entry.features);
    if (entry['meta-type'] === 'command') {
      index.commands.set(name, {
        name,
        argType: String(entry['arg-type']),
        retType: String(entry['ret-type']),
        allowOob: entry['allow-oob'] === true,
        features,
      });
    } else if (entry['meta-type'] === 'event') {
      index.events.set(name, { name, argType: String(entry['arg-type']), features });
    } else {
      const type = parseType(entry, name, features);
      if (type) index.types.set(name, type);
      else index.unknown.set(name, entry);
    }
  }
  return index;
}
