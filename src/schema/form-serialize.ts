// Turns a filled form into the exact QMP `arguments`, validating on the way: required members,
// enum values, integer syntax and ranges, union tags, alternate choices and JSON text. Nothing is
// sent while any error remains; each error names the field path it belongs to.
import { extraIntegerCheck } from './field-annotations.ts';
import type { FieldModel } from './form-model.ts';
import { visibleMembers, type FormValue } from './form-values.ts';
import { checkRange, parseInteger } from './units.ts';
import type { JsonValue } from '../qmp/wire.ts';

export interface FieldError {
  /** The field's path joined with `.` ('' for the whole form). */
  path: string;
  message: string;
}

export type SerializeResult =
  { ok: true; value: JsonValue | undefined } | { ok: false; errors: FieldError[] };

function isBlank(value: FormValue): boolean {
  // An emptied text box counts as unset: "" is never sent for an untouched optional string.
  return value.k === 'unset' || (value.k === 'text' && value.text.trim() === '');
}

function serializeField(model: FieldModel, value: FormValue, errors: FieldError[]) {
  const path = model.path.join('.');
  const fail = (message: string) => {
    errors.push({ path, message });
    return undefined;
  };
  if (isBlank(value)) return model.optional ? undefined : fail('is required');
  switch (model.kind) {
    case 'string':
      return value.k === 'text' ? value.text : fail('must be text');
    case 'integer': {
      if (value.k !== 'text') return fail('must be a whole number');
      const parsed = parseInteger(value.text, model.unit);
      if (!parsed.ok) return fail(parsed.message);
      const problem =
        (model.range && checkRange(parsed.value, model.range)) ??
        extraIntegerCheck(model.path, parsed.value);
      return problem ? fail(problem) : Number(parsed.value);
    }
    case 'number': {
      const n = value.k === 'text' ? Number(value.text.trim()) : NaN;
      return Number.isFinite(n) ? n : fail('must be a number');
    }
    case 'boolean':
      return value.k === 'bool' ? value.value : fail('must be true or false');
    case 'null':
      return null;
    case 'enum': {
      const text = value.k === 'text' ? value.text : '';
      return model.values.some((v) => v.name === text)
        ? text
        : fail(`must be one of ${model.values.map((v) => v.name).join(', ')}`);
    }
    case 'any':
    case 'raw': {
      if (value.k !== 'text') return fail('must be JSON');
      try {
        return JSON.parse(value.text) as JsonValue;
      } catch {
        return fail('is not valid JSON');
      }
    }
    case 'object': {
      if (value.k !== 'object') return fail('must be an object');
      if (model.tag !== undefined) {
        const tag = value.fields[model.tag];
        const tagText = tag?.k === 'text' ? tag.text : '';
        if (tagText && model.cases.length > 0 && !model.cases.includes(tagText))
          errors.push({ path: [...model.path, model.tag].join('.'), message: 'unknown variant' });
      }
      const out: { [key: string]: JsonValue } = {};
      for (const member of visibleMembers(model, value)) {
        const result = serializeField(member, value.fields[member.name] ?? { k: 'unset' }, errors);
        if (result !== undefined) out[member.name] = result;
      }
      return out;
    }
    case 'alternate': {
      const branch = value.k === 'alt' ? model.branches()[value.branch] : undefined;
      if (!branch || value.k !== 'alt') return fail('choose one of the kinds');
      return serializeField(branch, value.value, errors);
    }
    case 'array': {
      if (value.k !== 'array') return fail('must be a list');
      const items: JsonValue[] = [];
      value.items.forEach((item, i) => {
        const result = serializeField(model.element(i), item, errors);
        if (result !== undefined) items.push(result);
      });
      return items;
    }
  }
}

/** Validates the form and returns the arguments object (or undefined when it is empty). */
export function serializeForm(model: FieldModel, value: FormValue): SerializeResult {
  const errors: FieldError[] = [];
  const result = serializeField(model, value, errors);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: result };
}

/** The `arguments` to send: an empty object is left out, as QMP allows. */
export function toArguments(
  result: JsonValue | undefined,
): { [key: string]: JsonValue } | undefined {
  if (
    result === undefined ||
    result === null ||
    typeof result !== 'object' ||
    Array.isArray(result)
  )
    return undefined;
  return Object.keys(result).length > 0 ? result : undefined;
}

/** What the form would send right now, invalid fields left out: for the live QMP preview. */
export function previewArguments(model: FieldModel, value: FormValue) {
  return toArguments(serializeField(model, value, []));
}
