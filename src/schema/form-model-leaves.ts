// The leaves of the form model: builtin JSON types (with the node/job annotations and integer
// ranges introspection cannot carry) and the reference kind of an alternate's string branch.
import { defaultRange, refKindFor, unitFor, type RefKind } from './field-annotations.ts';
import type { FieldBase } from './form-model.ts';
import type { DocCursor, docLookup } from './qapi-doc-lookup.ts';
import type { SchemaIndex } from './schema-index.ts';
import { INTEGER_RANGES } from './units.ts';

export interface BuildContext {
  index: SchemaIndex;
  command: string;
  docs: ReturnType<typeof docLookup> | undefined;
}

export interface Slot {
  name: string;
  path: string[];
  optional: boolean;
  features: string[];
  doc: DocCursor;
  /** Set for the `str` branch of an alternate whose other branch says what the string names. */
  ref?: RefKind;
}

/**
 * BlockdevRef and friends: a string beside an inline BlockdevOptions (tag `driver`) is a node name;
 * beside `{node, name}` (BlockDirtyBitmapOrStr) it is a bitmap name.
 */
export function alternateRef(ctx: BuildContext, branches: string[]): RefKind | undefined {
  for (const branch of branches) {
    const type = ctx.index.types.get(branch);
    if (type?.meta !== 'object') continue;
    if (type.tag === 'driver') return 'node';
    const names = type.members.map((m) => m.name).sort();
    if (names.join() === 'name,node') return 'bitmap';
  }
  return undefined;
}

export function builtinField(ctx: BuildContext, base: FieldBase, jsonType: string, slot: Slot) {
  switch (jsonType) {
    case 'string': {
      const ref = slot.ref ?? refKindFor(ctx.command, slot.path);
      return { ...base, kind: 'string' as const, ...(ref ? { ref } : {}) };
    }
    case 'int': {
      // Introspection reports every width as `int`; the QAPI source (if given) says which.
      const unit = unitFor(slot.path);
      const qapiType = slot.doc.type;
      const range =
        (qapiType ? INTEGER_RANGES[qapiType] : undefined) ??
        defaultRange(unit) ??
        INTEGER_RANGES.int64;
      return {
        ...base,
        kind: 'integer' as const,
        ...(unit ? { unit } : {}),
        ...(range ? { range } : {}),
        ...(qapiType ? { qapiType } : {}),
      };
    }
    case 'number':
      return { ...base, kind: 'number' as const };
    case 'boolean':
      return { ...base, kind: 'boolean' as const };
    case 'null':
      return { ...base, kind: 'null' as const };
    case 'value':
      return { ...base, kind: 'any' as const };
    default:
      return { ...base, kind: 'raw' as const, reason: `unknown JSON type ${jsonType}` };
  }
}
