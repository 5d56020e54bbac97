// Walks a command's arguments along the live schema (query-qmp-schema, qapi/introspect.json), so the
// argument checks know what each string is without guessing from key names alone. A string member
// is named by its context and its name: the context is the nearest union branch above it
// (`driver=qcow2`, `type=unix`) or, outside any branch, the command. Introspection masks type names,
// so this is as precise a name as a member has across QEMU versions.
import type { MemberInfo, SchemaIndex, SchemaType } from '../src/schema/schema-index.ts';
import type { JsonObject, JsonValue, QmpErrorBody } from '../src/qmp/wire.ts';

export interface StringVisit {
  context: string;
  member: string;
  /** Where in the arguments, for messages: `options.file.filename`. */
  at: string;
  value: string;
}

export interface BranchVisit {
  /** The context the union itself sits in. */
  context: string;
  tag: string;
  branch: string;
  at: string;
  value: JsonObject;
  /** The members only this branch has (introspection lists base members on the union). */
  members: MemberInfo[];
}

export interface ArgumentVisitor {
  string(visit: StringVisit): QmpErrorBody | null;
  /** A union value that chose a branch: a BlockdevOptions tree, a SocketAddress, ... */
  branch(visit: BranchVisit): QmpErrorBody | null;
}

const isObject = (v: JsonValue | undefined): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The alternate branch QEMU's input visitor would take for this JSON value (by JSON type). */
function alternateBranch(index: SchemaIndex, branches: string[], value: JsonValue): string | null {
  for (const name of branches) {
    const type = index.types.get(name);
    if (!type) continue;
    if (type.meta === 'object' && isObject(value)) return name;
    if (type.meta === 'array' && Array.isArray(value)) return name;
    if (type.meta === 'enum' && typeof value === 'string') return name;
    if (type.meta === 'builtin') {
      const json = type.jsonType;
      if (json === 'string' && typeof value === 'string') return name;
      if (json === 'null' && value === null) return name;
      if ((json === 'int' || json === 'number') && typeof value === 'number') return name;
      if (json === 'boolean' && typeof value === 'boolean') return name;
    }
  }
  return null;
}

function walk(
  index: SchemaIndex,
  typeName: string,
  value: JsonValue,
  context: string,
  member: string,
  at: string,
  visitor: ArgumentVisitor,
): QmpErrorBody | null {
  const type: SchemaType | undefined = index.types.get(typeName);
  if (!type) return null;
  switch (type.meta) {
    case 'builtin':
      if (typeof value === 'string' && (type.name === 'str' || type.name === 'any'))
        return visitor.string({ context, member, at, value });
      if (type.name === 'any') return walkAny(value, context, member, at, visitor);
      return null;
    case 'enum':
      return null;
    case 'array': {
      if (!Array.isArray(value)) return null;
      for (const [i, item] of value.entries()) {
        const error = walk(index, type.element, item, context, member, `${at}[${i}]`, visitor);
        if (error) return error;
      }
      return null;
    }
    case 'alternate': {
      const branch = alternateBranch(index, type.branches, value);
      return branch ? walk(index, branch, value, context, member, at, visitor) : null;
    }
    case 'object': {
      if (!isObject(value)) return null;
      let inner = context;
      let members = type.members;
      if (type.tag !== undefined) {
        const tagValue = value[type.tag];
        const variant = type.variants.find((v) => v.case === tagValue);
        const variantType = variant ? index.types.get(variant.type) : undefined;
        if (variant && variantType?.meta === 'object') {
          const error = visitor.branch({
            context,
            tag: type.tag,
            branch: variant.case,
            at,
            value,
            members: variantType.members,
          });
          if (error) return error;
          inner = `${type.tag}=${variant.case}`;
          members = [...members, ...variantType.members];
        }
      }
      for (const m of members) {
        const child = value[m.name];
        if (child === undefined) continue;
        // Base members (the tag among them) stay in the union's own context.
        const where = type.members.includes(m) ? context : inner;
        const error = walk(
          index,
          m.type,
          child,
          where,
          m.name,
          at ? `${at}.${m.name}` : m.name,
          visitor,
        );
        if (error) return error;
      }
      return null;
    }
  }
}

/** An `any` member carries no schema: every string inside it is visited under the member's name. */
function walkAny(
  value: JsonValue,
  context: string,
  member: string,
  at: string,
  visitor: ArgumentVisitor,
): QmpErrorBody | null {
  const children = Array.isArray(value) ? value : isObject(value) ? Object.values(value) : [];
  for (const child of children) {
    const error =
      typeof child === 'string'
        ? visitor.string({ context, member, at, value: child })
        : walkAny(child, context, member, at, visitor);
    if (error) return error;
  }
  return null;
}

/** Walks `args` of `command` along the live schema; stops at the first refusal a visit returns. */
export function walkArguments(
  index: SchemaIndex,
  command: string,
  args: JsonObject,
  visitor: ArgumentVisitor,
): QmpErrorBody | null {
  const info = index.commands.get(command);
  if (!info) return null;
  return walk(index, info.argType, args, command, '', '', visitor);
}

/**
 * Every string (and `any`) member reachable from a command's arguments, as `context member` keys,
 * skipping union branches `skip` says the policy refuses. Used by the tests that hold the member
 * tables to the live schema.
 */
export function reachableStringMembers(
  index: SchemaIndex,
  command: string,
  skip: (context: string, tag: string, branch: string) => boolean,
): Set<string> {
  const found = new Set<string>();
  const seen = new Set<string>();
  const visit = (typeName: string, context: string, member: string): void => {
    const type = index.types.get(typeName);
    if (!type) return;
    if (type.meta === 'builtin') {
      if (type.name === 'str' || type.name === 'any') found.add(`${context} ${member}`);
      return;
    }
    if (type.meta === 'array') return visit(type.element, context, member);
    if (type.meta === 'alternate') {
      for (const b of type.branches) visit(b, context, member);
      return;
    }
    if (type.meta !== 'object') return;
    const key = `${typeName}@${context}`;
    if (seen.has(key)) return;
    seen.add(key);
    for (const m of type.members) visit(m.type, context, m.name);
    for (const v of type.variants) {
      if (type.tag === undefined || skip(context, type.tag, v.case)) continue;
      const variantType = index.types.get(v.type);
      if (variantType?.meta !== 'object') continue;
      const inner = `${type.tag}=${v.case}`;
      for (const m of variantType.members) visit(m.type, inner, m.name);
    }
  };
  const info = index.commands.get(command);
  if (info) visit(info.argType, command, '');
  return found;
}
