// Alternates (BlockdevRef = inline definition | node name, BlockdevRefOrNull adds null, StrOrNull,
// Qcow2OverlapChecks …): the operator first chooses which kind of value to give, then fills it.
import type { FieldModel } from '../../schema/form-model.ts';
import { setValue, UNSET } from '../../schema/form-values.ts';
import { FeatureBadges, FieldHelp } from './field-frame.tsx';
import type { FieldProps } from './field-props.ts';

export function branchLabel(branch: FieldModel): string {
  switch (branch.kind) {
    case 'object':
      return branch.tag === 'driver' ? 'inline definition' : 'object';
    case 'string':
      if (branch.ref === 'node') return 'existing node';
      return branch.ref === 'bitmap' ? 'bitmap name' : 'text';
    case 'null':
      return 'null';
    case 'enum':
      return 'one of the names';
    case 'array':
      return 'list';
    default:
      return branch.kind;
  }
}

export function AlternateField(props: FieldProps) {
  const model = props.model;
  if (model.kind !== 'alternate') return null;
  const branches = model.branches();
  const chosen = props.value.k === 'alt' ? props.value.branch : -1;
  const branch = branches[chosen];
  const choose = (i: number) => {
    const target = branches[i];
    if (!target) return props.onChange(UNSET);
    // Text branches start empty (unset) so the placeholder shows; containers start open.
    const start = target.kind === 'object' || target.kind === 'null' ? setValue(target) : UNSET;
    props.onChange({ k: 'alt', branch: i, value: start });
  };
  const options = [...(model.optional ? [{ i: -1, label: 'unset' }] : [])].concat(
    branches.map((b, i) => ({ i, label: branchLabel(b) })),
  );
  return (
    <fieldset className="rounded border border-slate-200 p-2 dark:border-slate-700">
      <legend className="flex items-center gap-2 px-1">
        <span className="font-mono text-sm font-medium">{model.name}</span>
        {model.caption && (
          <span className="text-xs text-slate-500 dark:text-slate-400">{model.caption}</span>
        )}
        <FeatureBadges model={model} />
      </legend>
      <div role="radiogroup" aria-label={`${model.name} kind`} className="flex flex-wrap gap-3">
        {options.map(({ i, label }) => (
          <label key={i} className="flex items-center gap-1 text-sm">
            <input
              type="radio"
              name={`${props.inputId}-kind`}
              checked={chosen === i}
              onChange={() => choose(i)}
            />
            {label}
          </label>
        ))}
      </div>
      {!branch && <FieldHelp model={model} id={props.inputId} />}
      {branch && props.value.k === 'alt' && (
        <div className="mt-2">
          {props.renderChild(
            // An object branch is the alternate's own content: no second legend with the same name.
            branch.kind === 'object' ? { ...branch, name: '' } : branch,
            props.value.value,
            (v) => props.onChange({ k: 'alt', branch: chosen, value: v }),
          )}
        </div>
      )}
    </fieldset>
  );
}
