// The "Advanced" part of a guided panel: the generated form of the real command, prefilled with
// what the guided fields produce, so every member of the command stays reachable. It has no
// send button of its own: valid arguments flow into the plan, which is reviewed and confirmed
// like the rest. Guided fields keep precedence for the members they set.
import { useId, useMemo, useState } from 'react';
import { useSchemaIndex } from '../../api/schema-queries.ts';
import type { JsonObject } from '../../qmp/wire.ts';
import { valueFromJson } from '../../schema/form-from-json.ts';
import { buildFormModel } from '../../schema/form-model.ts';
import { serializeForm, toArguments } from '../../schema/form-serialize.ts';
import { initialValue, UNSET, type FormValue } from '../../schema/form-values.ts';
import type { SchemaIndex } from '../../schema/schema-index.ts';
import { FormField } from '../forms/field-registry.tsx';
import { FormStateContext } from '../forms/form-state-context.tsx';
import { FormPickersContext } from '../forms/pickers-context.tsx';
import type { LiveState } from './plans/live-state.ts';

function GeneratedArguments(props: {
  index: SchemaIndex;
  command: string;
  initialArgs: JsonObject;
  onChange: (args: JsonObject | undefined) => void;
}) {
  const formId = useId();
  const model = useMemo(
    () => buildFormModel(props.index, props.command),
    [props.index, props.command],
  );
  const [value, setValue] = useState<FormValue>(() =>
    !model ? UNSET : (valueFromJson(model, props.initialArgs) ?? initialValue(model)),
  );
  const result = useMemo(() => (model ? serializeForm(model, value) : null), [model, value]);
  const errors = useMemo(
    () => new Map(result && !result.ok ? result.errors.map((e) => [e.path, e.message]) : []),
    [result],
  );
  if (!model) return <p role="alert">{props.command} is not in this QEMU&apos;s schema.</p>;
  return (
    <FormStateContext.Provider value={{ errors, showErrors: true, showAdvanced: false, formId }}>
      <FormField
        model={model}
        value={value}
        onChange={(next) => {
          setValue(next);
          const serialized = serializeForm(model, next);
          props.onChange(serialized.ok ? (toArguments(serialized.value) ?? {}) : undefined);
        }}
      />
    </FormStateContext.Provider>
  );
}

export function AdvancedForm(props: {
  command: string;
  live: LiveState;
  /** The arguments the guided fields produce now; the form starts from them when opened. */
  guidedArgs: JsonObject;
  onChange: (args: JsonObject | undefined) => void;
}) {
  const schema = useSchemaIndex();
  const [opened, setOpened] = useState<JsonObject | null>(null);
  const pickers = useMemo(
    () => ({
      nodeNames: props.live.nodes.map((n) => n['node-name']),
      jobIds: props.live.jobs.map((j) => j.id),
    }),
    [props.live],
  );
  return (
    <details
      className="text-sm"
      onToggle={(e) => {
        const open = (e.target as HTMLDetailsElement).open;
        setOpened(open ? props.guidedArgs : null);
        if (!open) props.onChange({});
      }}
    >
      <summary className="cursor-pointer text-slate-600 dark:text-slate-300">
        Advanced: every {props.command} argument
      </summary>
      {opened && schema.data && (
        <FormPickersContext.Provider value={pickers}>
          <div className="mt-2 rounded border border-slate-200 p-2 dark:border-slate-700">
            <GeneratedArguments
              index={schema.data}
              command={props.command}
              initialArgs={opened}
              onChange={props.onChange}
            />
          </div>
        </FormPickersContext.Provider>
      )}
      {opened && schema.isPending && <p>Reading the schema…</p>}
    </details>
  );
}

/** The arguments a plan gives `command`, also when it runs inside a transaction. */
export function commandArguments(
  result: { ok: boolean; plan?: { steps: { command: string; arguments: JsonObject }[] } },
  command: string,
): JsonObject {
  for (const step of result.plan?.steps ?? []) {
    if (step.command === command) return step.arguments;
    const actions = step.command === 'transaction' ? step.arguments.actions : undefined;
    if (!Array.isArray(actions)) continue;
    for (const action of actions) {
      const a = action as { type?: unknown; data?: unknown };
      if (a.type === command && typeof a.data === 'object' && a.data !== null)
        return a.data as JsonObject;
    }
  }
  return {};
}
