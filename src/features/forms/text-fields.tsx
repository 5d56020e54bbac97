// Text-entry fields: strings (with live suggestions when the member names a node, job or bitmap),
// integers with units and size suffixes, and floating-point numbers. Emptying a box unsets the
// member; it is never sent as "".
import type { FieldModel } from '../../schema/form-model.ts';
import { parseInteger, formatSize } from '../../schema/units.ts';
import { describedBy, FieldFrame } from './field-frame.tsx';
import { inputClass, type FieldProps } from './field-props.ts';
import { useFieldError } from './form-state-context.tsx';
import { usePickerOptions } from './pickers-context.tsx';

function textOf(props: FieldProps): string {
  return props.value.k === 'text' ? props.value.text : '';
}

function TextInput({
  placeholder,
  listId,
  ...props
}: FieldProps & { placeholder: string; listId?: string }) {
  const error = useFieldError(props.model.path);
  return (
    <input
      id={props.inputId}
      className={inputClass}
      value={textOf(props)}
      placeholder={props.model.optional ? `${placeholder} (unset)` : placeholder}
      list={listId}
      aria-invalid={error ? true : undefined}
      aria-describedby={describedBy(props.model, props.inputId, error)}
      spellCheck={false}
      autoComplete="off"
      onChange={(e) =>
        props.onChange(e.target.value === '' ? { k: 'unset' } : { k: 'text', text: e.target.value })
      }
    />
  );
}

export function StringField(props: FieldProps) {
  return (
    <FieldFrame model={props.model} inputId={props.inputId}>
      <TextInput {...props} placeholder="text" />
    </FieldFrame>
  );
}

const REF_HINT = { node: 'node name', job: 'job id', bitmap: 'bitmap name' } as const;

/** A string that names a live object: free text with the current names as suggestions. */
export function RefPickerField(props: FieldProps) {
  const ref = props.model.kind === 'string' ? props.model.ref : undefined;
  const options = usePickerOptions(ref);
  const listId = `${props.inputId}-options`;
  return (
    <FieldFrame model={props.model} inputId={props.inputId} hint={ref ? `(${REF_HINT[ref]})` : ''}>
      <TextInput {...props} placeholder={ref ? REF_HINT[ref] : 'text'} listId={listId} />
      <datalist id={listId}>
        {options.map((o) => (
          <option key={o} value={o} />
        ))}
      </datalist>
    </FieldFrame>
  );
}

function unitHint(model: FieldModel): string {
  if (model.kind !== 'integer') return '';
  const type = model.qapiType ? `${model.qapiType}` : 'integer';
  if (model.unit === 'bytes') return `${type}, bytes (e.g. 64M, 1G)`;
  if (model.unit === 'bytes/s') return `${type}, bytes/s (e.g. 64M/s)`;
  if (model.unit === 'ops/s') return `${type}, operations/s`;
  return type;
}

export function IntegerField(props: FieldProps) {
  const model = props.model;
  const unit = model.kind === 'integer' ? model.unit : undefined;
  const sized = unit === 'bytes' || unit === 'bytes/s';
  const parsed = sized ? parseInteger(textOf(props), unit) : undefined;
  const echo = parsed?.ok && !/^\s*\d+\s*$/.test(textOf(props)) ? `= ${parsed.value} ${unit}` : '';
  const pretty =
    parsed?.ok && /^\s*\d+\s*$/.test(textOf(props)) ? `= ${formatSize(parsed.value)}` : '';
  return (
    <FieldFrame model={model} inputId={props.inputId} hint={`(${unitHint(model)})`}>
      <div className="flex items-center gap-2">
        <TextInput
          {...props}
          placeholder={unit === 'bytes/s' ? 'e.g. 64M/s' : sized ? 'e.g. 64M' : 'integer'}
        />
        {(echo || pretty) && (
          <span className="shrink-0 font-mono text-xs text-slate-500 dark:text-slate-400">
            {echo || pretty}
          </span>
        )}
      </div>
    </FieldFrame>
  );
}

export function NumberField(props: FieldProps) {
  return (
    <FieldFrame model={props.model} inputId={props.inputId} hint="(number)">
      <TextInput {...props} placeholder="number" />
    </FieldFrame>
  );
}
