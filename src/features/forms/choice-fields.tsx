// Choice fields: booleans are tri-state (unset / true / false) because many optional booleans
// default to true in QEMU (auto-finalize, auto-dismiss) and "unset" must stay distinguishable;
// enums are selects whose deprecated or unstable values say so, and a driver tag leaves out the
// drivers the proxy refuses.
import { useContext } from 'react';
import { describedBy, FieldFrame } from './field-frame.tsx';
import { inputClass, type FieldProps } from './field-props.ts';
import { useFieldError, useFormState } from './form-state-context.tsx';
import { FormPickersContext } from './pickers-context.tsx';

const UNSET_VALUE = '';

export function BooleanField(props: FieldProps) {
  const error = useFieldError(props.model.path);
  const current = props.value.k === 'bool' ? String(props.value.value) : UNSET_VALUE;
  return (
    <FieldFrame model={props.model} inputId={props.inputId} hint="(boolean)">
      <select
        id={props.inputId}
        className={inputClass}
        value={current}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(props.model, props.inputId, error)}
        onChange={(e) =>
          props.onChange(
            e.target.value === UNSET_VALUE
              ? { k: 'unset' }
              : { k: 'bool', value: e.target.value === 'true' },
          )
        }
      >
        <option value={UNSET_VALUE}>{props.model.optional ? '(unset)' : 'choose…'}</option>
        <option value="true">true</option>
        <option value="false">false</option>
      </select>
    </FieldFrame>
  );
}

export function EnumField(props: FieldProps) {
  const error = useFieldError(props.model.path);
  const { showAdvanced } = useFormState();
  const pickers = useContext(FormPickersContext);
  const model = props.model;
  if (model.kind !== 'enum') return null;
  const current = props.value.k === 'text' ? props.value.text : UNSET_VALUE;
  // A union's `driver` tag (BlockdevDriver) leaves out the drivers the proxy always refuses.
  const refused = model.path.at(-1) === 'driver' ? pickers.refusedDrivers : undefined;
  const values = model.values.filter(
    (v) =>
      v.name === current ||
      ((showAdvanced || !(v.deprecated || v.unstable)) && !refused?.has(v.name)),
  );
  return (
    <FieldFrame model={model} inputId={props.inputId} hint="(one of)">
      <select
        id={props.inputId}
        className={inputClass}
        value={current}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(model, props.inputId, error)}
        onChange={(e) =>
          props.onChange(
            e.target.value === UNSET_VALUE ? { k: 'unset' } : { k: 'text', text: e.target.value },
          )
        }
      >
        <option value={UNSET_VALUE}>{model.optional ? '(unset)' : 'choose…'}</option>
        {values.map((v) => (
          <option key={v.name} value={v.name}>
            {v.name}
            {v.deprecated ? ' (deprecated)' : ''}
            {v.unstable ? ' (unstable)' : ''}
          </option>
        ))}
      </select>
    </FieldFrame>
  );
}
