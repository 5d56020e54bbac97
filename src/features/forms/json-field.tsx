// Raw JSON entry: the widget for `any` members (qom-set.value) and the visible fallback for
// anything the renderer has no better widget for. Never a silent gap in the form.
import { describedBy, FieldFrame } from './field-frame.tsx';
import { inputClass, type FieldProps } from './field-props.ts';
import { useFieldError } from './form-state-context.tsx';

export function JsonField(props: FieldProps) {
  const error = useFieldError(props.model.path);
  const reason = props.model.kind === 'raw' ? props.model.reason : 'any JSON value';
  return (
    <FieldFrame model={props.model} inputId={props.inputId} hint={`(raw JSON: ${reason})`}>
      <textarea
        id={props.inputId}
        className={`${inputClass} min-h-16`}
        value={props.value.k === 'text' ? props.value.text : ''}
        placeholder={props.model.optional ? 'JSON (unset)' : 'JSON'}
        spellCheck={false}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(props.model, props.inputId, error)}
        onChange={(e) =>
          props.onChange(
            e.target.value === '' ? { k: 'unset' } : { k: 'text', text: e.target.value },
          )
        }
      />
    </FieldFrame>
  );
}

/** A `null`-only field (the null branch of an alternate): nothing to fill in. */
export function NullField(props: FieldProps) {
  return (
    <p className="text-xs text-slate-500 dark:text-slate-400">
      <code>{props.model.name}</code> will be sent as <code>null</code>.
    </p>
  );
}
