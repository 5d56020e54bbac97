// The inverse of serializeForm: fills a form from QMP arguments (pasting JSON into the form,
// prefilling from another view, and round-trip tests). Alternate branches are chosen by JSON type.
import type { FieldModel } from './form-model.ts';
import { UNSET, type FormValue } from './form-values.ts';
import type { JsonValue } from '../qmp/wire.ts';

function fits(model: FieldModel, json: JsonValue): boolean {
  switch (model.kind) {
    case 'string':
      return typeof json === 'string';
    case 'enum':
      return typeof json === 'string' && model.values.some((v) => v.name === json);
    case 'integer':
      return typeof json === 'number' && Number.isInteger(json);
    case 'number':
      return typeof json === 'number';
    case 'boolean':
      return typeof json === 'boolean';
    case 'null':
      return json === null;
    case 'object':
      return typeof json === 'object' && json !== null && !Array.isArray(json);
    case 'array':
      return Array.isArray(json);
    default:
      return true;
  }
}

export function valueFromJson(model: FieldModel, json: JsonValue | undefined): FormValue {
  if (json === undefined) return UNSET;
  switch (model.kind) {
    case 'string':
    case 'enum':
      return { k: 'text', text: String(json) };
    case 'integer':
    case 'number':
      return { k: 'text', text: String(json) };
    case 'boolean':
      return { k: 'bool', value: json === true };
    case 'null':
      return { k: 'null' };
    case 'any':
    case 'raw':
      return { k: 'text', text: JSON.stringify(json) };
    case 'array':
      return {
        k: 'array',
        items: Array.isArray(json)
          ? json.map((item, i) => valueFromJson(model.element(i), item))
          : [],
      };
    case 'alternate': {
      const branches = model.branches();
      // Enum before string: a string that names an enum value belongs to the enum branch.
      const order = branches
        .map((branch, i) => ({ branch, i }))
        .sort((a, b) => Number(b.branch.kind === 'enum') - Number(a.branch.kind === 'enum'));
      const chosen = order.find(({ branch }) => fits(branch, json));
      return chosen
        ? { k: 'alt', branch: chosen.i, value: valueFromJson(chosen.branch, json) }
        : UNSET;
    }
    case 'object': {
      if (typeof json !== 'object' || json === null || Array.isArray(json)) return UNSET;
      const fields: Record<string, FormValue> = {};
      const tagValue = model.tag === undefined ? undefined : json[model.tag];
      const members = [
        ...model.members(),
        ...(typeof tagValue === 'string' ? model.variantMembers(tagValue) : []),
      ];
      for (const member of members) {
        if (member.name in json) fields[member.name] = valueFromJson(member, json[member.name]);
      }
      return { k: 'object', fields };
    }
  }
}
