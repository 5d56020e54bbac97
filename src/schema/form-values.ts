// The state of a filled form, one node per field, kept apart from the model so the model can be
// shared. `unset` is distinct from an empty text: an unset optional member is omitted from the
// arguments, never sent as "" or null (qmp-domain.md §2.6).
import type { FieldModel } from './form-model.ts';

export type FormValue =
  | { k: 'unset' }
  /** Strings, integers, numbers, enum values and JSON text for `any`. */
  | { k: 'text'; text: string }
  | { k: 'bool'; value: boolean }
  | { k: 'null' }
  | { k: 'object'; fields: Record<string, FormValue> }
  | { k: 'alt'; branch: number; value: FormValue }
  | { k: 'array'; items: FormValue[] };

export const UNSET: FormValue = { k: 'unset' };

/** The value a field starts with: required objects and arrays open, everything else unset. */
export function initialValue(model: FieldModel): FormValue {
  if (model.optional) return UNSET;
  if (model.kind === 'object') return { k: 'object', fields: {} };
  if (model.kind === 'array') return { k: 'array', items: [] };
  return UNSET;
}

/** The value a field gets when the user chooses to set an optional member. */
export function setValue(model: FieldModel): FormValue {
  switch (model.kind) {
    case 'object':
      return { k: 'object', fields: {} };
    case 'array':
      return { k: 'array', items: [] };
    case 'boolean':
      return { k: 'bool', value: false };
    case 'null':
      return { k: 'null' };
    case 'alternate': {
      const first = model.branches()[0];
      return { k: 'alt', branch: 0, value: first ? setValue(first) : UNSET };
    }
    case 'enum':
      return { k: 'text', text: model.values[0]?.name ?? '' };
    default:
      return { k: 'text', text: '' };
  }
}

/** The member fields currently shown for an object value: base members plus the chosen variant. */
export function visibleMembers(model: FieldModel, value: FormValue): FieldModel[] {
  if (model.kind !== 'object') return [];
  const members = model.members();
  if (model.tag === undefined) return members;
  const tagValue = value.k === 'object' ? value.fields[model.tag] : undefined;
  const chosen = tagValue?.k === 'text' ? tagValue.text : '';
  return chosen ? [...members, ...model.variantMembers(chosen)] : members;
}

/** Returns `root` with the value at `path` (member names / array indexes) replaced. */
export function updateAt(root: FormValue, path: string[], leaf: FormValue): FormValue {
  if (path.length === 0) return leaf;
  const [step = '', ...rest] = path;
  if (root.k === 'array') {
    const i = Number(step);
    const items = root.items.slice();
    items[i] = updateAt(items[i] ?? UNSET, rest, leaf);
    return { k: 'array', items };
  }
  if (root.k === 'alt') return { ...root, value: updateAt(root.value, path, leaf) };
  const fields = root.k === 'object' ? root.fields : {};
  return {
    k: 'object',
    fields: { ...fields, [step]: updateAt(fields[step] ?? UNSET, rest, leaf) },
  };
}

/** The value at `path`, or unset. */
export function valueAt(root: FormValue, path: string[]): FormValue {
  let current = root;
  for (const step of path) {
    if (current.k === 'alt') current = current.value;
    if (current.k === 'array') current = current.items[Number(step)] ?? UNSET;
    else if (current.k === 'object') current = current.fields[step] ?? UNSET;
    else return UNSET;
  }
  return current;
}
