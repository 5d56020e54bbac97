// Throttle limits in QEMU's units: bytes/s (20M/s) for bandwidth, IOPS for operations, bursts
// folded away.
import { useState } from 'react';
import { AmountField, type AmountUnit } from '../fields.tsx';
import { LIMIT_BASES, type ThrottleLimits } from '../plans/throttle-limits.ts';
import type { Problem } from '../plans/types.ts';
import { formatSize } from '../../../schema/units.ts';

const LABELS: Record<string, string> = {
  'bps-total': 'Bandwidth, total',
  'bps-read': 'Bandwidth, read',
  'bps-write': 'Bandwidth, write',
  'iops-total': 'Operations, total',
  'iops-read': 'Operations, read',
  'iops-write': 'Operations, write',
};

function unitOf(key: string): AmountUnit {
  if (key.endsWith('-length')) return 's';
  return key.startsWith('bps') ? 'bytes/s' : 'IOPS';
}

/** A limit read from QEMU, written back the way the field reads it (`20M/s`, `400`). */
function initialText(key: string, value: number | undefined): string {
  if (!value) return '';
  return unitOf(key) === 'bytes/s' ? `${formatSize(BigInt(value))}/s` : String(value);
}

/** Reports the whole limits object on every change, or undefined while a field is invalid. */
export function LimitFields(props: {
  initial: ThrottleLimits;
  onChange: (limits: ThrottleLimits | undefined) => void;
  problems: Problem[];
  idPrefix: string;
}) {
  const [limits, setLimits] = useState<ThrottleLimits>(props.initial);
  const [invalid, setInvalid] = useState<Set<string>>(new Set());
  const update = (key: string, value: number | undefined) => {
    const nextInvalid = new Set(invalid);
    if (value === undefined) nextInvalid.add(key);
    else nextInvalid.delete(key);
    const next = { ...limits, [key]: value ?? 0 };
    setInvalid(nextInvalid);
    setLimits(next);
    props.onChange(nextInvalid.size > 0 ? undefined : next);
  };
  const field = (key: string, label: string) => (
    <AmountField
      key={`${props.idPrefix}-${key}`}
      label={label}
      initial={initialText(key, props.initial[key])}
      unit={unitOf(key)}
      error={props.problems.find((p) => p.field === key)?.message}
      onChange={(v) => update(key, v)}
      onInvalid={(_, reason) => reason !== undefined && update(key, undefined)}
    />
  );
  return (
    <div className="flex flex-col gap-2">
      <div className="grid grid-cols-3 gap-2">
        {LIMIT_BASES.map((base) => field(base, LABELS[base] ?? base))}
      </div>
      <details className="text-sm">
        <summary className="cursor-pointer">Bursts and request size</summary>
        <div className="mt-2 grid grid-cols-3 gap-2">
          {LIMIT_BASES.map((base) => field(`${base}-max`, `${LABELS[base]} burst`))}
          {LIMIT_BASES.map((base) => field(`${base}-max-length`, `${LABELS[base]} burst length`))}
          {field('iops-size', 'Size counted as one operation')}
        </div>
      </details>
    </div>
  );
}
