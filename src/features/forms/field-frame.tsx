// The frame around a scalar field: the QMP member name as the label (operators map it to QEMU's
// docs), a friendlier caption, deprecated/unstable badges, help text and the validation error.
import type { ReactNode } from 'react';
import type { FieldModel } from '../../schema/form-model.ts';
import { useFieldError } from './form-state-context.tsx';

export function FeatureBadges({ model }: { model: FieldModel }) {
  return (
    <>
      {model.deprecated && (
        <span className="rounded bg-amber-100 px-1 text-xs text-amber-900 dark:bg-amber-900 dark:text-amber-100">
          deprecated
        </span>
      )}
      {model.unstable && (
        <span className="rounded bg-purple-100 px-1 text-xs text-purple-900 dark:bg-purple-900 dark:text-purple-100">
          unstable
        </span>
      )}
      {model.optional ? (
        <span className="text-xs text-slate-500 dark:text-slate-400">optional</span>
      ) : (
        <span className="text-xs text-red-700 dark:text-red-300" title="required">
          required
        </span>
      )}
    </>
  );
}

export function FieldHelp({ model, id }: { model: FieldModel; id: string }) {
  const error = useFieldError(model.path);
  return (
    <>
      {model.doc && (
        <p
          id={`${id}-doc`}
          className="text-xs whitespace-pre-line text-slate-600 dark:text-slate-400"
        >
          {model.doc}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} role="alert" className="text-xs text-red-700 dark:text-red-300">
          {model.path.join('.') || 'arguments'} {error}
        </p>
      )}
    </>
  );
}

export function FieldFrame({
  model,
  inputId,
  hint,
  children,
}: {
  model: FieldModel;
  inputId: string;
  hint?: string;
  children: ReactNode;
}) {
  const error = useFieldError(model.path);
  return (
    <div
      className={`flex flex-col gap-0.5 ${error ? 'rounded bg-red-50 p-1 dark:bg-red-950' : ''}`}
    >
      <div className="flex flex-wrap items-baseline gap-2">
        <label htmlFor={inputId} className="font-mono text-sm font-medium">
          {model.name || 'value'}
        </label>
        {model.caption && (
          <span className="text-xs text-slate-500 dark:text-slate-400">{model.caption}</span>
        )}
        {hint && <span className="text-xs text-slate-500 dark:text-slate-400">{hint}</span>}
        <FeatureBadges model={model} />
      </div>
      {children}
      <FieldHelp model={model} id={inputId} />
    </div>
  );
}

/** aria-describedby for an input: its help text and error, when present. */
export function describedBy(model: FieldModel, inputId: string, error: string | undefined) {
  const ids = [model.doc ? `${inputId}-doc` : '', error ? `${inputId}-error` : ''].filter(Boolean);
  return ids.length > 0 ? ids.join(' ') : undefined;
}
