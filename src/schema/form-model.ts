// The form model: a React-free description of the fields for one command's arguments, built
// directly from QAPI introspection. Objects, unions, alternates and arrays expand lazily (on
// first call of their accessor), so recursive types such as BlockdevOptions → BlockdevRef →
// BlockdevOptions cost nothing until the user opens them; a depth guard stops runaway nesting.
import { captionFor, type RefKind, type Unit } from './field-annotations.ts';
import type { QapiDocs } from './qapi-docs.ts';
import { docLookup, type DocCursor } from './qapi-doc-lookup.ts';
import type { SchemaIndex, SchemaType } from './schema-index.ts';
import type { IntegerRange } from './units.ts';

export interface FieldBase {
  /** The QMP member name ('' at the root of the arguments). */
  name: string;
  /** Member names from the root; array items add their index. */
  path: string[];
  optional: boolean;
  deprecated: boolean;
  unstable: boolean;
  /** The masked introspection type name (do not persist: it differs between binaries). */
  typeName: string;
  caption?: string;
  /** Help text from the server's field docs (the QMP manual, or qapi/*.json from --qapi-docs). */
  doc?: string;
}

export type FieldModel = FieldBase &
  (
    | { kind: 'string'; ref?: RefKind }
    | { kind: 'integer'; unit?: Unit; range?: IntegerRange; qapiType?: string }
    | { kind: 'number' }
    | { kind: 'boolean' }
    | { kind: 'null' }
    | { kind: 'any' }
    | { kind: 'enum'; values: { name: string; deprecated: boolean; unstable: boolean }[] }
    | {
        kind: 'object';
        /** Discriminator member of a flat union (its field is an enum among `members()`). */
        tag?: string;
        cases: string[];
        /** Every variant is `{data: …}` (SocketAddressLegacy and friends): keep the wrapper. */
        legacyData: boolean;
        members(): FieldModel[];
        variantMembers(tagValue: string): FieldModel[];
      }
    | { kind: 'alternate'; branches(): FieldModel[] }
    | { kind: 'array'; element(index: number): FieldModel }
    | { kind: 'raw'; reason: string }
  );

export type FieldKind = FieldModel['kind'];

/** Deeper than this the form offers raw JSON instead of more nested fieldsets. */
export const MAX_FORM_DEPTH = 24;

import type { BuildContext, Slot } from './form-model-leaves.ts';
import { alternateRef, builtinField } from './form-model-leaves.ts';

function memoise<T>(compute: () => T): () => T {
  let cached: { value: T } | undefined;
  return () => (cached ??= { value: compute() }).value;
}

function objectFields(ctx: BuildContext, type: SchemaType & { meta: 'object' }, slot: Slot) {
  const memberModels = (members: typeof type.members, doc: DocCursor) =>
    members.map((m) =>
      buildField(ctx, m.type, {
        name: m.name,
        path: [...slot.path, m.name],
        optional: m.optional,
        features: m.features,
        doc: ctx.docs?.member(doc, m.name) ?? {},
      }),
    );
  const variantType = (tagValue: string) => {
    const variant = type.variants.find((v) => v.case === tagValue);
    const found = variant && ctx.index.types.get(variant.type);
    return found?.meta === 'object' ? found : undefined;
  };
  const legacyData =
    type.variants.length > 0 &&
    type.variants.every((v) => {
      const t = ctx.index.types.get(v.type);
      return t?.meta === 'object' && t.members.length === 1 && t.members[0]?.name === 'data';
    });
  return {
    kind: 'object' as const,
    ...(type.tag !== undefined ? { tag: type.tag } : {}),
    cases: type.variants.map((v) => v.case),
    legacyData,
    members: memoise(() => memberModels(type.members, slot.doc)),
    variantMembers: (tagValue: string) => {
      const found = variantType(tagValue);
      const doc = ctx.docs?.variant(slot.doc, tagValue) ?? slot.doc;
      return found ? memberModels(found.members, doc) : [];
    },
  };
}

function buildField(ctx: BuildContext, typeName: string, slot: Slot): FieldModel {
  const type = ctx.index.types.get(typeName);
  const features = [...slot.features, ...(type?.features ?? [])];
  const caption = captionFor(slot.name);
  const base: FieldBase = {
    name: slot.name,
    path: slot.path,
    optional: slot.optional,
    deprecated: features.includes('deprecated'),
    unstable: features.includes('unstable'),
    typeName,
    ...(caption ? { caption } : {}),
    ...(slot.doc.text ? { doc: slot.doc.text } : {}),
  };
  if (!type) return { ...base, kind: 'raw', reason: `type ${typeName} is not in the schema` };
  if (slot.path.length > MAX_FORM_DEPTH)
    return { ...base, kind: 'raw', reason: 'nested too deeply for a form' };
  switch (type.meta) {
    case 'builtin':
      return builtinField(ctx, base, type.jsonType, slot);
    case 'enum':
      return {
        ...base,
        kind: 'enum',
        values: type.values.map((v) => ({
          name: v.name,
          deprecated: v.features.includes('deprecated'),
          unstable: v.features.includes('unstable'),
        })),
      };
    case 'array':
      return {
        ...base,
        kind: 'array',
        element: (i: number) =>
          buildField(ctx, type.element, {
            ...slot,
            name: slot.name,
            path: [...slot.path, String(i)],
            optional: false,
            features: [],
            doc: ctx.docs?.element(slot.doc) ?? {},
          }),
      };
    case 'object':
      return { ...base, ...objectFields(ctx, type, slot) };
    case 'alternate':
      return {
        ...base,
        kind: 'alternate',
        branches: memoise(() => {
          const ref = alternateRef(ctx, type.branches);
          return type.branches.map((b) =>
            buildField(ctx, b, {
              ...slot,
              optional: false,
              features: [],
              ...(ref ? { ref } : {}),
            }),
          );
        }),
      };
  }
}

/** The root model of `command`'s arguments (an object, possibly a flat union), or undefined. */
export function buildFormModel(
  index: SchemaIndex,
  command: string,
  docs?: QapiDocs,
): FieldModel | undefined {
  const info = index.commands.get(command);
  if (!info) return undefined;
  const lookup = docs ? docLookup(docs) : undefined;
  const ctx: BuildContext = { index, command, docs: lookup };
  return buildField(ctx, info.argType, {
    name: '',
    path: [],
    optional: false,
    features: info.features,
    doc: lookup?.command(command) ?? {},
  });
}
