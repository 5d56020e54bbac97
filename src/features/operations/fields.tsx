// Small labelled inputs for the guided panels. Every input has a visible label (tests and
// screen readers find it by that name) and shows the plan's problem for its field.
import { useId, useState, type ReactNode } from 'react';
import { parseBytes } from './plans/units.ts';
import type { Problem } from './plans/types.ts';

const INPUT =
  'w-full rounded border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-700 dark:bg-slate-950';

export function problemFor(problems: Problem[], field: string): string | undefined {
  return problems.find((p) => p.field === field)?.message;
}

function Labelled(props: {
  label: string;
  id: string;
  error?: string;
  hint?: string;
  children: ReactNode;
}) {
  return (
    <div className="flex flex-col gap-0.5">
      <label htmlFor={props.id} className="text-xs font-medium text-slate-600 dark:text-slate-300">
        {props.label}
      </label>
      {props.children}
      {props.hint && <span className="text-xs text-slate-500">{props.hint}</span>}
      {props.error && <span className="text-xs text-red-700 dark:text-red-300">{props.error}</span>}
    </div>
  );
}

export function TextField(props: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string;
  hint?: string;
  placeholder?: string;
}) {
  const id = useId();
  return (
    <Labelled label={props.label} id={id} error={props.error} hint={props.hint}>
      <input
        id={id}
        className={INPUT}
        value={props.value}
        placeholder={props.placeholder}
        aria-invalid={props.error ? true : undefined}
        onChange={(e) => props.onChange(e.target.value)}
      />
    </Labelled>
  );
}

export function SelectField<T extends string>(props: {
  label: string;
  value: T;
  options: readonly (T | { value: T; label: string })[];
  onChange: (value: T) => void;
  error?: string;
}) {
  const id = useId();
  return (
    <Labelled label={props.label} id={id} error={props.error}>
      <select
        id={id}
        className={INPUT}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value as T)}
      >
        {props.options.map((o) => {
          const { value, label } = typeof o === 'string' ? { value: o, label: o } : o;
          return (
            <option key={value} value={value}>
              {label}
            </option>
          );
        })}
      </select>
    </Labelled>
  );
}

export function CheckField(props: {
  label: string;
  checked: boolean;
  onChange: (v: boolean) => void;
}) {
  return (
    <label className="flex items-center gap-2 text-sm">
      <input
        type="checkbox"
        checked={props.checked}
        onChange={(e) => props.onChange(e.target.checked)}
      />
      {props.label}
    </label>
  );
}

/** A size or rate typed in human units; reports bytes (0 when empty) or undefined when invalid. */
export function AmountField(props: {
  label: string;
  initial?: string;
  onChange: (bytes: number | undefined) => void;
  parse?: typeof parseBytes;
  placeholder?: string;
  error?: string;
}) {
  const [text, setText] = useState(props.initial ?? '');
  const parsed = (props.parse ?? parseBytes)(text);
  return (
    <TextField
      label={props.label}
      value={text}
      placeholder={props.placeholder ?? 'unlimited'}
      error={parsed.ok ? props.error : parsed.message}
      onChange={(value) => {
        setText(value);
        const next = (props.parse ?? parseBytes)(value);
        props.onChange(next.ok ? next.value : undefined);
      }}
    />
  );
}
