// What every field component receives. Children are rendered through `renderChild`, so container
// fields (object, alternate, array) do not import the registry that imports them.
import type { ReactNode } from 'react';
import type { FieldModel } from '../../schema/form-model.ts';
import type { FormValue } from '../../schema/form-values.ts';

export interface FieldProps<M extends FieldModel = FieldModel> {
  model: M;
  value: FormValue;
  onChange: (value: FormValue) => void;
  /** A stable DOM id for the field's input, derived from its path. */
  inputId: string;
  renderChild: (model: FieldModel, value: FormValue, onChange: (v: FormValue) => void) => ReactNode;
}

export function inputIdFor(formId: string, model: FieldModel): string {
  return `${formId}-${model.path.join('.') || 'root'}`.replace(/[^\w.-]/g, '_');
}

export const inputClass =
  'w-full rounded border border-slate-300 bg-white px-2 py-1 font-mono text-sm dark:border-slate-700 dark:bg-slate-950';

export const buttonClass =
  'rounded border border-slate-300 px-2 py-0.5 text-xs hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800';
