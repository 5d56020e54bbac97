// Lists: items are edited in place, added and removed. An optional list with no items is unset.
import { setValue, UNSET } from '../../schema/form-values.ts';
import { FeatureBadges, FieldHelp } from './field-frame.tsx';
import { buttonClass, type FieldProps } from './field-props.ts';

export function ArrayField(props: FieldProps) {
  const model = props.model;
  if (model.kind !== 'array') return null;
  const items = props.value.k === 'array' ? props.value.items : [];
  const update = (next: typeof items) =>
    props.onChange(next.length === 0 && model.optional ? UNSET : { k: 'array', items: next });
  return (
    <fieldset className="rounded border border-slate-200 p-2 dark:border-slate-700">
      <legend className="flex items-center gap-2 px-1">
        <span className="font-mono text-sm font-medium">{model.name}</span>
        <span className="text-xs text-slate-500 dark:text-slate-400">list of {items.length}</span>
        <FeatureBadges model={model} />
      </legend>
      <FieldHelp model={model} id={props.inputId} />
      <ol className="flex flex-col gap-2">
        {items.map((item, i) => {
          const element = model.element(i);
          return (
            <li key={i} className="flex items-start gap-2">
              <span className="pt-1 font-mono text-xs text-slate-500 dark:text-slate-400">
                [{i}]
              </span>
              <div className="min-w-0 flex-1">
                {props.renderChild(element, item, (v) =>
                  update(items.map((old, j) => (j === i ? v : old))),
                )}
              </div>
              <button
                type="button"
                className={buttonClass}
                aria-label={`Remove ${model.name} item ${i}`}
                onClick={() => update(items.filter((_, j) => j !== i))}
              >
                Remove
              </button>
            </li>
          );
        })}
      </ol>
      <button
        type="button"
        className={`${buttonClass} mt-2`}
        aria-label={`Add ${model.name} item`}
        onClick={() => {
          const element = model.element(items.length);
          const start =
            element.kind === 'object' || element.kind === 'array' ? setValue(element) : UNSET;
          update([...items, start]);
        }}
      >
        Add item
      </button>
    </fieldset>
  );
}
