// One model for I/O limits, converted to the two spellings QEMU uses: the throttle-group
// `limits` object (bps-total, iops-read-max, ...) and block_set_io_throttle's arguments
// (bps, iops_rd_max, ...). Validity rules follow QEMU's throttle_is_valid (util/throttle.c).
import type { JsonObject, JsonValue } from '../../../qmp/wire.ts';
import { formatIops, formatRate } from '../../../schema/units.ts';
import type { Problem } from './types.ts';

export const LIMIT_BASES = [
  'bps-total',
  'bps-read',
  'bps-write',
  'iops-total',
  'iops-read',
  'iops-write',
] as const;
export type LimitBase = (typeof LIMIT_BASES)[number];

/** Group-style keys: a base, its burst `-max`, the burst's `-max-length` (s), and iops-size. */
export type ThrottleLimits = Partial<Record<string, number>>;

const DEVICE_NAMES: Record<LimitBase, string> = {
  'bps-total': 'bps',
  'bps-read': 'bps_rd',
  'bps-write': 'bps_wr',
  'iops-total': 'iops',
  'iops-read': 'iops_rd',
  'iops-write': 'iops_wr',
};

function get(limits: ThrottleLimits, key: string): number {
  return limits[key] ?? 0;
}

/** block_set_io_throttle arguments: the six bases are mandatory (0 = unlimited). */
export function toDeviceArguments(limits: ThrottleLimits): JsonObject {
  const args: JsonObject = {};
  for (const base of LIMIT_BASES) {
    const name = DEVICE_NAMES[base];
    args[name] = get(limits, base);
    if (get(limits, `${base}-max`) > 0) args[`${name}_max`] = get(limits, `${base}-max`);
    if (get(limits, `${base}-max-length`) > 1) {
      args[`${name}_max_length`] = get(limits, `${base}-max-length`);
    }
  }
  if (get(limits, 'iops-size') > 0) args.iops_size = get(limits, 'iops-size');
  return args;
}

/** Reads query-block's `inserted` (or a named node's) throttle fields back into the model. */
export function fromDeviceInfo(info: Record<string, JsonValue | undefined>): ThrottleLimits {
  const limits: ThrottleLimits = {};
  const num = (key: string) => (typeof info[key] === 'number' ? (info[key] as number) : 0);
  for (const base of LIMIT_BASES) {
    const name = DEVICE_NAMES[base];
    if (num(name)) limits[base] = num(name);
    if (num(`${name}_max`)) limits[`${base}-max`] = num(`${name}_max`);
    if (num(`${name}_max_length`) > 1) limits[`${base}-max-length`] = num(`${name}_max_length`);
  }
  if (num('iops_size')) limits['iops-size'] = num('iops_size');
  return limits;
}

/**
 * The group `limits` value with every key stated: qom-set merges, so a limit left out would
 * keep its old value instead of being cleared (qmp-domain.md §5.5).
 */
export function toGroupLimits(limits: ThrottleLimits): JsonObject {
  const out: JsonObject = {};
  for (const base of LIMIT_BASES) {
    out[base] = get(limits, base);
    out[`${base}-max`] = get(limits, `${base}-max`);
    out[`${base}-max-length`] = Math.max(1, get(limits, `${base}-max-length`));
  }
  out['iops-size'] = get(limits, 'iops-size');
  return out;
}

/** Only the limits that are set, for object-add and for display. */
export function setLimits(limits: ThrottleLimits): ThrottleLimits {
  const out: ThrottleLimits = {};
  for (const [key, value] of Object.entries(limits)) {
    if (value === undefined || value === 0) continue;
    if (key.endsWith('-max-length') && value <= 1) continue;
    out[key] = value;
  }
  return out;
}

export function limitProblems(limits: ThrottleLimits): Problem[] {
  const problems: Problem[] = [];
  for (const [key, value] of Object.entries(limits)) {
    if (value !== undefined && (!Number.isInteger(value) || value < 0)) {
      problems.push({ field: key, message: `${key} must be a whole number, 0 or more.` });
    }
  }
  for (const kind of ['bps', 'iops'] as const) {
    if (
      get(limits, `${kind}-total`) &&
      (get(limits, `${kind}-read`) || get(limits, `${kind}-write`))
    ) {
      problems.push({
        field: `${kind}-total`,
        message: `A total ${kind} limit cannot be combined with separate read/write ${kind} limits.`,
      });
    }
  }
  for (const base of LIMIT_BASES) {
    const max = get(limits, `${base}-max`);
    if (max && !get(limits, base)) {
      problems.push({
        field: `${base}-max`,
        message: `A burst for ${base} needs ${base} itself set.`,
      });
    } else if (max && max < get(limits, base)) {
      problems.push({
        field: `${base}-max`,
        message: `The burst for ${base} cannot be lower than ${base}.`,
      });
    }
    if (get(limits, `${base}-max-length`) > 1 && !max) {
      problems.push({
        field: `${base}-max-length`,
        message: `A burst length for ${base} needs a burst (${base}-max).`,
      });
    }
  }
  return problems;
}

/** A short text for the graph and panels: "20 MiB/s total · 400 IOPS total". */
export function describeLimits(limits: ThrottleLimits): string {
  const parts: string[] = [];
  for (const base of LIMIT_BASES) {
    const value = get(limits, base);
    if (!value) continue;
    const [kind, dir] = base.split('-') as [string, string];
    const text = kind === 'bps' ? formatRate(value) : formatIops(value);
    const burst = get(limits, `${base}-max`);
    const burstText = burst
      ? ` (burst ${kind === 'bps' ? formatRate(burst) : formatIops(burst)})`
      : '';
    parts.push(`${text} ${dir}${burstText}`);
  }
  return parts.length === 0 ? 'unlimited' : parts.join(' · ');
}
