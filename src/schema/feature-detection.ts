// Feature detection over the schema index, always entered from a command or event name.
// A member path is a list of member names; union variant members are searched in every variant,
// so "does blockdev-add accept `qcow2`'s data-file" reads as hasArgument(i, 'blockdev-add', ['data-file']).
import type { MemberInfo, SchemaIndex, SchemaType } from './schema-index.ts';

export function hasCommand(index: SchemaIndex, command: string): boolean {
  return index.commands.has(command);
}

export function hasEvent(index: SchemaIndex, event: string): boolean {
  return index.events.has(event);
}

export function commandFeatures(index: SchemaIndex, command: string): string[] {
  return index.commands.get(command)?.features ?? [];
}

/** The members an object type offers: its own, plus those of every variant (deduplicated). */
export function allObjectMembers(index: SchemaIndex, type: SchemaType): MemberInfo[] {
  if (type.meta !== 'object') return [];
  const seen = new Map(type.members.map((m) => [m.name, m]));
  for (const variant of type.variants) {
    const variantType = index.types.get(variant.type);
    if (variantType?.meta !== 'object') continue;
    for (const m of variantType.members) if (!seen.has(m.name)) seen.set(m.name, m);
  }
  return [...seen.values()];
}

/** Follows arrays and alternates to the object types a member may hold. */
function objectTypesOf(index: SchemaIndex, typeName: string, depth = 0): SchemaType[] {
  const type = index.types.get(typeName);
  if (!type || depth > 4) return [];
  if (type.meta === 'object') return [type];
  if (type.meta === 'array') return objectTypesOf(index, type.element, depth + 1);
  if (type.meta === 'alternate')
    return type.branches.flatMap((b) => objectTypesOf(index, b, depth + 1));
  return [];
}

/** The member at `path` inside the arguments of `command` (or of event `event:NAME`). */
export function findArgument(
  index: SchemaIndex,
  command: string,
  path: string[],
): MemberInfo | undefined {
  const argType = command.startsWith('event:')
    ? index.events.get(command.slice(6))?.argType
    : index.commands.get(command)?.argType;
  if (argType === undefined || path.length === 0) return undefined;
  let candidates = objectTypesOf(index, argType);
  let found: MemberInfo | undefined;
  for (const [i, step] of path.entries()) {
    found = undefined;
    for (const type of candidates) {
      found = allObjectMembers(index, type).find((m) => m.name === step);
      if (found) break;
    }
    if (!found) return undefined;
    if (i < path.length - 1) candidates = objectTypesOf(index, found.type);
  }
  return found;
}

export function hasArgument(index: SchemaIndex, command: string, path: string[]): boolean {
  return findArgument(index, command, path) !== undefined;
}

/** The values of the enum at `path` in `command`'s arguments, or [] if it is not an enum. */
export function enumValuesAt(index: SchemaIndex, command: string, path: string[]): string[] {
  const member = findArgument(index, command, path);
  const type = member && index.types.get(member.type);
  return type?.meta === 'enum' ? type.values.map((v) => v.name) : [];
}

/** The union cases offered at the root of `command`'s arguments (e.g. blockdev-add drivers). */
export function unionCases(index: SchemaIndex, command: string): string[] {
  const argType = index.commands.get(command)?.argType;
  const type = argType === undefined ? undefined : index.types.get(argType);
  return type?.meta === 'object' ? type.variants.map((v) => v.case) : [];
}
