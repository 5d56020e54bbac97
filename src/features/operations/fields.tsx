// Small labelled inputs for the guided panels. Every input has a visible label (tests and
// screen readers find it by that name) and shows the plan's problem for its field.
import { useCallback, useId, useMemo, useState, type ReactNode } from 'react';
import {
  formatBytes,
  formatIops,
  formatRate,
  parseCount,
  parseRate,
  parseSize,
  type AmountParse,
} from '../../schema/units.ts';
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
      {props.hint && (
        <span className="text-xs text-slate-500 dark:text-slate-400">{props.hint}</span>
      )}
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
  /** Why it cannot be chosen here: the box is off and the reason shown under it. */
  disabledReason?: string | null;
}) {
  const reasonId = useId();
  const reason = props.disabledReason;
  return (
    <div className="flex flex-col">
      <label className="flex items-center gap-2 text-sm">
        <input
          type="checkbox"
          checked={props.checked}
          disabled={!!reason}
          {...(reason ? { 'aria-describedby': reasonId } : {})}
          onChange={(e) => props.onChange(e.target.checked)}
        />
        {props.label}
      </label>
      {reason && (
        <p id={reasonId} className="text-xs text-slate-600 dark:text-slate-400">
          {reason}
        </p>
      )}
    </div>
  );
}

/** What an amount field holds; its unit is written in the label, in QEMU's meaning. */
export type AmountUnit = 'bytes' | 'bytes/s' | 'IOPS' | 's';

const AMOUNTS: Record<
  AmountUnit,
  { parse: (text: string) => AmountParse; show: (n: number) => string; example: string }
> = {
  bytes: { parse: parseSize, show: formatBytes, example: 'e.g. 64K or 1.5G (K, M, G = 1024ⁿ)' },
  'bytes/s': { parse: parseRate, show: formatRate, example: 'e.g. 50M/s (M = 1024²)' },
  IOPS: { parse: parseCount, show: formatIops, example: 'e.g. 400' },
  s: { parse: parseCount, show: (n) => `${n} s`, example: 'whole seconds' },
};

/**
 * A size, rate or count typed the way QEMU reads it. Reports every valid value (0 when empty);
 * while the text does not parse it reports the reason instead, so the panel can block its plan
 * and list the field among the reasons rather than run without the value.
 */
export function AmountField(props: {
  label: string;
  unit: AmountUnit;
  initial?: string;
  onChange: (value: number) => void;
  onInvalid: (label: string, reason: string | undefined) => void;
  placeholder?: string;
  error?: string;
}) {
  const [text, setText] = useState(props.initial ?? '');
  const amount = AMOUNTS[props.unit];
  const parsed = amount.parse(text);
  const label = `${props.label} (${props.unit})`;
  return (
    <TextField
      label={label}
      value={text}
      placeholder={props.placeholder ?? 'unlimited'}
      hint={parsed.ok && parsed.value > 0 ? `= ${amount.show(parsed.value)}` : amount.example}
      error={parsed.ok ? props.error : parsed.message}
      onChange={(value) => {
        setText(value);
        const next = amount.parse(value);
        props.onInvalid(label, next.ok ? undefined : next.message);
        if (next.ok) props.onChange(next.value);
      }}
    />
  );
}

/** The name under which a panel's advanced form reports that it does not parse. */
export const ADVANCED_ARGUMENTS = 'Advanced arguments';

/** The fields of a panel whose text does not parse, as problems that block its plan. */
export function useInvalidFields(): {
  problems: Problem[];
  report: (label: string, reason: string | undefined) => void;
} {
  const [reasons, setReasons] = useState<ReadonlyMap<string, string>>(new Map());
  const report = useCallback((label: string, reason: string | undefined) => {
    setReasons((old) => {
      if (old.get(label) === reason) return old;
      const next = new Map(old);
      if (reason === undefined) next.delete(label);
      else next.set(label, reason);
      return next;
    });
  }, []);
  const problems = useMemo(
    () => [...reasons].map(([label, reason]) => ({ message: `${label}: ${reason}` })),
    [reasons],
  );
  return { problems, report };
}
