// A generated form for one QMP command's arguments, with validation before sending, the live QMP
// preview, and a switch for deprecated/unstable members. Sending is the caller's business.
import { useId, useMemo, useState } from 'react';
import type { JsonObject } from '../../qmp/wire.ts';
import { valueFromJson } from '../../schema/form-from-json.ts';
import { buildFormModel } from '../../schema/form-model.ts';
import { previewArguments, serializeForm, toArguments } from '../../schema/form-serialize.ts';
import { initialValue, UNSET, type FormValue } from '../../schema/form-values.ts';
import { fieldPathFromError } from '../../schema/qmp-error-path.ts';
import type { QapiDocs } from '../../schema/qapi-docs.ts';
import type { SchemaIndex } from '../../schema/schema-index.ts';
import { FormField } from './field-registry.tsx';
import { FormStateContext } from './form-state-context.tsx';
import { QmpPreview } from './qmp-preview.tsx';

export interface CommandFormProps {
  index: SchemaIndex;
  command: string;
  docs?: QapiDocs | undefined;
  /** Called with the validated arguments (undefined when the command takes none). */
  onSubmit: (args: JsonObject | undefined) => void;
  pending?: boolean;
  /** Prefills the form (e.g. from an operation's defaults). */
  initialArgs?: JsonObject;
  /** QEMU's refusal of the last attempt, shown beside the field its text names (if any). */
  refusal?: { desc: string } | null;
}

/** Mount with `key={command}` so switching commands starts from a fresh form. */
export function CommandForm({
  index,
  command,
  docs,
  onSubmit,
  pending,
  initialArgs,
  refusal,
}: CommandFormProps) {
  const formId = useId();
  const model = useMemo(() => buildFormModel(index, command, docs), [index, command, docs]);
  const [value, setValue] = useState<FormValue>(() =>
    !model ? UNSET : initialArgs ? valueFromJson(model, initialArgs) : initialValue(model),
  );
  const [showErrors, setShowErrors] = useState(false);
  const [showAdvanced, setShowAdvanced] = useState(false);
  const result = useMemo(() => (model ? serializeForm(model, value) : null), [model, value]);
  const errors = useMemo(() => {
    const map = new Map(result && !result.ok ? result.errors.map((e) => [e.path, e.message]) : []);
    const refusedPath = refusal ? fieldPathFromError(refusal.desc) : undefined;
    if (refusal && refusedPath && !map.has(refusedPath))
      map.set(refusedPath, `was refused by QEMU: ${refusal.desc}`);
    return map;
  }, [result, refusal]);
  if (!model || !result) return <p role="alert">{command} is not in this QEMU&apos;s schema.</p>;
  const info = index.commands.get(command);
  const preview = result.ok ? toArguments(result.value) : previewArguments(model, value);
  const empty = model.kind === 'object' && model.members().length === 0 && model.cases.length === 0;

  return (
    <form
      aria-label={`${command} arguments`}
      noValidate
      className="flex flex-col gap-3"
      onSubmit={(e) => {
        e.preventDefault();
        setShowErrors(true);
        if (result.ok) onSubmit(toArguments(result.value));
      }}
    >
      <div className="flex flex-wrap items-center gap-2">
        <h3 className="font-mono text-base font-semibold">{command}</h3>
        {info?.features.includes('deprecated') && (
          <span className="rounded bg-amber-100 px-1 text-xs text-amber-900 dark:bg-amber-900 dark:text-amber-100">
            deprecated
          </span>
        )}
        {info?.features.includes('unstable') && (
          <span className="rounded bg-purple-100 px-1 text-xs text-purple-900 dark:bg-purple-900 dark:text-purple-100">
            unstable
          </span>
        )}
        <label className="ml-auto flex items-center gap-1 text-xs">
          <input
            type="checkbox"
            checked={showAdvanced}
            onChange={(e) => setShowAdvanced(e.target.checked)}
          />
          Show advanced (deprecated and unstable)
        </label>
      </div>
      {model.doc && <p className="text-sm text-slate-600 dark:text-slate-400">{model.doc}</p>}
      <FormStateContext.Provider value={{ errors, showErrors, showAdvanced, formId }}>
        {empty ? (
          <p className="text-sm text-slate-500 dark:text-slate-400">
            This command takes no arguments.
          </p>
        ) : (
          <FormField model={model} value={value} onChange={setValue} />
        )}
      </FormStateContext.Provider>
      {showErrors && !result.ok && (
        <div
          role="alert"
          className="rounded bg-red-50 p-2 text-sm text-red-800 dark:bg-red-950 dark:text-red-200"
        >
          Not sent: {result.errors.length} field{result.errors.length > 1 ? 's need' : ' needs'}{' '}
          attention.
          <ul className="list-disc pl-5 font-mono text-xs">
            {result.errors.map((e) => (
              <li key={`${e.path}:${e.message}`}>
                {e.path || 'arguments'} {e.message}
              </li>
            ))}
          </ul>
        </div>
      )}
      <QmpPreview command={command} args={preview} invalid={!result.ok} />
      <div>
        <button
          type="submit"
          disabled={pending}
          className="rounded bg-blue-700 px-3 py-1 text-sm font-medium text-white hover:bg-blue-800 disabled:opacity-50"
        >
          {pending ? 'Running…' : `Run ${command}`}
        </button>
      </div>
    </form>
  );
}
