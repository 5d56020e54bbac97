// A flat, ranked registry (after JSON Forms' testers): every entry says how well it fits a field
// model and the highest rank wins. Domain pickers outrank plain text; the raw-JSON widget accepts
// anything at the lowest rank, so an unknown kind is visible rather than silently missing.
import type { ComponentType, ReactNode } from 'react';
import type { FieldModel } from '../../schema/form-model.ts';
import type { FormValue } from '../../schema/form-values.ts';
import { AlternateField } from './alternate-field.tsx';
import { ArrayField } from './array-field.tsx';
import { BooleanField, EnumField } from './choice-fields.tsx';
import { inputIdFor, type FieldProps } from './field-props.ts';
import { useFormState } from './form-state-context.tsx';
import { JsonField, NullField } from './json-field.tsx';
import { ObjectField } from './object-field.tsx';
import { IntegerField, NumberField, RefPickerField, StringField } from './text-fields.tsx';

export interface RegistryEntry {
  name: string;
  /** 0 = does not apply; higher wins. */
  rank: (model: FieldModel) => number;
  component: ComponentType<FieldProps>;
}

const byKind =
  (kind: FieldModel['kind'], rank = 10) =>
  (model: FieldModel) =>
    model.kind === kind ? rank : 0;

export const FIELD_REGISTRY: RegistryEntry[] = [
  {
    name: 'ref-picker',
    rank: (m) => (m.kind === 'string' && m.ref ? 20 : 0),
    component: RefPickerField,
  },
  { name: 'string', rank: byKind('string'), component: StringField },
  { name: 'integer', rank: byKind('integer'), component: IntegerField },
  { name: 'number', rank: byKind('number'), component: NumberField },
  { name: 'boolean', rank: byKind('boolean'), component: BooleanField },
  { name: 'enum', rank: byKind('enum'), component: EnumField },
  { name: 'null', rank: byKind('null'), component: NullField },
  { name: 'object', rank: byKind('object'), component: ObjectField },
  { name: 'alternate', rank: byKind('alternate'), component: AlternateField },
  { name: 'array', rank: byKind('array'), component: ArrayField },
  { name: 'json', rank: () => 1, component: JsonField },
];

export function pickEntry(model: FieldModel, registry = FIELD_REGISTRY): RegistryEntry {
  let best: RegistryEntry | undefined;
  let bestRank = 0;
  for (const entry of registry) {
    const rank = entry.rank(model);
    if (rank > bestRank) {
      best = entry;
      bestRank = rank;
    }
  }
  // The json entry accepts everything, so best is always set while it stays registered.
  return best ?? { name: 'json', rank: () => 1, component: JsonField };
}

/** Renders one field (and, through renderChild, its children) with the registry's choice. */
export function FormField({
  model,
  value,
  onChange,
}: {
  model: FieldModel;
  value: FormValue;
  onChange: (value: FormValue) => void;
}): ReactNode {
  const { formId } = useFormState();
  const Component = pickEntry(model).component;
  return (
    <Component
      model={model}
      value={value}
      onChange={onChange}
      inputId={inputIdFor(formId, model)}
      renderChild={(child, childValue, childChange) => (
        <FormField model={child} value={childValue} onChange={childChange} />
      )}
    />
  );
}
