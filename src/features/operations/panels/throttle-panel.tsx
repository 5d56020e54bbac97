// Throttle panel: per-device limits (block_set_io_throttle, qemu-system only) with the current
// limits read back, and throttle groups shared by several disks through filter nodes.
import { useMemo, useState } from 'react';
import { PlanReview } from '../plan-review.tsx';
import type { LiveState } from '../plans/live-state.ts';
import {
  currentDeviceLimits,
  deviceThrottleSupported,
  findDevice,
  planDeviceThrottle,
} from '../plans/throttle-device.ts';
import { describeLimits, type ThrottleLimits } from '../plans/throttle-limits.ts';
import type { PlanResult } from '../plans/types.ts';
import { LimitFields } from './limit-fields.tsx';
import { ThrottleGroups } from './throttle-groups.tsx';

const INVALID: PlanResult = { ok: false, problems: [{ message: 'Fix the limits first.' }] };

function DeviceLimits({ live, qdev }: { live: LiveState; qdev: string }) {
  const device = findDevice(live, qdev);
  const current = device ? currentDeviceLimits(device) : {};
  const [limits, setLimits] = useState<ThrottleLimits | undefined>(current);
  const result = useMemo(
    () => (limits ? planDeviceThrottle(live, { qdev, limits }) : INVALID),
    [live, qdev, limits],
  );
  return (
    <section aria-label="Device limits" className="flex flex-col gap-2">
      <h3 className="text-sm font-medium">Device limits</h3>
      <p className="text-sm">
        Now: <span aria-label="Current device limits">{describeLimits(current)}</span>
      </p>
      <LimitFields
        idPrefix="device"
        initial={current}
        onChange={setLimits}
        problems={result.ok ? [] : result.problems}
      />
      <PlanReview result={result} confirmLabel="Apply device limits" />
    </section>
  );
}

/** `qdev` is set when the panel was opened on a guest device; `node` is the block node to throttle. */
export function ThrottlePanel({
  live,
  qdev,
  node,
}: {
  live: LiveState;
  qdev?: string;
  node: string;
}) {
  const deviceOk = qdev !== undefined && deviceThrottleSupported(live);
  return (
    <div className="flex flex-col gap-4">
      {deviceOk ? (
        <DeviceLimits live={live} qdev={qdev} />
      ) : (
        <p className="text-sm text-slate-500 dark:text-slate-400">
          {qdev === undefined
            ? 'Per-device limits apply to guest devices; this node can join a throttle group.'
            : 'This QEMU has no block_set_io_throttle (qemu-storage-daemon has no devices): use a throttle group.'}
        </p>
      )}
      <ThrottleGroups live={live} node={node} />
    </div>
  );
}
