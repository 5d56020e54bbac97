// Objects and flat unions: a fieldset of members. For a union the tag member is an ordinary enum
// field among the base members; choosing its value swaps in that variant's members. Deprecated
// and unstable members stay behind "advanced" unless already filled in.
import type { FieldModel } from '../../schema/form-model.ts';
import { UNSET, visibleMembers, type FormValue } from '../../schema/form-values.ts';
import { FeatureBadges, FieldHelp } from './field-frame.tsx';
import { buttonClass, type FieldProps } from './field-props.ts';
import { useFormState } from './form-state-context.tsx';

function isAdvanced(member: FieldModel): boolean {
  return member.deprecated || member.unstable;
}

export function ObjectField(props: FieldProps) {
  const { showAdvanced } = useFormState();
  const model = props.model;
  if (model.kind !== 'object') return null;
  const label = model.name;
  if (props.value.k === 'unset' && model.optional) {
    return (
      <div className="flex flex-wrap items-center gap-2">
        <span className="font-mono text-sm font-medium">{label}</span>
        <FeatureBadges model={model} />
        <span className="text-xs text-slate-500 dark:text-slate-400">unset</span>
        <button
          type="button"
          className={buttonClass}
          aria-label={`Set ${label}`}
          onClick={() => props.onChange({ k: 'object', fields: {} })}
        >
          Set
        </button>
        <FieldHelp model={model} id={props.inputId} />
      </div>
    );
  }
  const fields = props.value.k === 'object' ? props.value.fields : {};
  const current: FormValue = { k: 'object', fields };
  const members = visibleMembers(model, current);
  const hidden = members.filter(
    (m) => isAdvanced(m) && !showAdvanced && (fields[m.name] ?? UNSET).k === 'unset',
  );
  const shown = members.filter((m) => !hidden.includes(m));
  const body = (
    <div className="flex flex-col gap-2">
      {model.tag !== undefined && model.legacyData && (
        <p className="text-xs text-slate-500 dark:text-slate-400">
          QEMU expects this union&apos;s fields wrapped in <code>data</code>.
        </p>
      )}
      {shown.map((member) => (
        <div key={member.name}>
          {props.renderChild(member, fields[member.name] ?? UNSET, (v) =>
            props.onChange({ k: 'object', fields: { ...fields, [member.name]: v } }),
          )}
        </div>
      ))}
      {hidden.length > 0 && (
        <p className="text-xs text-slate-500 dark:text-slate-400">
          {hidden.length} deprecated or unstable member{hidden.length > 1 ? 's' : ''} hidden (
          {hidden.map((m) => m.name).join(', ')}); turn on &quot;Show advanced&quot; to fill them.
        </p>
      )}
    </div>
  );
  if (!label) return body; // the root of the arguments, or an alternate's object branch
  return (
    <fieldset className="rounded border border-slate-200 p-2 dark:border-slate-700">
      <legend className="flex items-center gap-2 px-1">
        <span className="font-mono text-sm font-medium">{label}</span>
        {model.caption && (
          <span className="text-xs text-slate-500 dark:text-slate-400">{model.caption}</span>
        )}
        <FeatureBadges model={model} />
        {model.optional && (
          <button
            type="button"
            className={buttonClass}
            aria-label={`Unset ${label}`}
            onClick={() => props.onChange(UNSET)}
          >
            Unset
          </button>
        )}
      </legend>
      <FieldHelp model={model} id={props.inputId} />
      {body}
    </fieldset>
  );
}
