// Expands a lazy form model as far as it goes without repeating a type on the same path, e.g. to
// check that every command of a live schema renders without raw-JSON fallbacks, or to time the
// worst case. Recursive types (BlockdevOptions inside BlockdevRef) are visited once per path.
import type { FieldModel } from './form-model.ts';

export interface WalkReport {
  fields: number;
  /** Paths (with the type name) of fields that render as raw JSON for lack of a better widget. */
  raw: string[];
  /** Paths of `any` members, which are raw JSON by nature (e.g. qom-set.value). */
  any: string[];
}

export function walkFormModel(root: FieldModel): WalkReport {
  const report: WalkReport = { fields: 0, raw: [], any: [] };
  const visit = (model: FieldModel, onPath: Set<string>) => {
    report.fields++;
    const where = model.path.join('.') || '(root)';
    if (model.kind === 'raw') report.raw.push(`${where}: ${model.reason}`);
    if (model.kind === 'any') report.any.push(where);
    if (onPath.has(model.typeName)) return;
    const next = new Set(onPath).add(model.typeName);
    if (model.kind === 'object') {
      for (const member of model.members()) visit(member, next);
      for (const tagValue of model.cases)
        for (const member of model.variantMembers(tagValue)) visit(member, next);
    } else if (model.kind === 'alternate') {
      for (const branch of model.branches()) visit(branch, next);
    } else if (model.kind === 'array') {
      visit(model.element(0), next);
    }
  };
  visit(root, new Set());
  return report;
}
