// Per-device throttling with block_set_io_throttle (qemu-system only; QSD has no devices). The
// `id` must be query-block's `qdev` verbatim: for virtio-blk that is the inner
// ".../virtio-backend" object, the proxy device's id is refused (qmp-domain.md §5.5).
import type { BlockInfo, LiveState } from './live-state.ts';
import { deviceOf } from './graph-queries.ts';
import {
  describeLimits,
  fromDeviceInfo,
  limitProblems,
  toDeviceArguments,
  type ThrottleLimits,
} from './throttle-limits.ts';
import { planned, refuse, type PlanResult } from './types.ts';

export interface DeviceThrottleInput {
  /** query-block's qdev of the disk. */
  qdev: string;
  limits: ThrottleLimits;
  /** Share the limits with other devices in a named legacy group. */
  group?: string;
}

export function deviceThrottleSupported(live: LiveState): boolean {
  return live.commands.has('block_set_io_throttle');
}

export function findDevice(live: LiveState, qdev: string): BlockInfo | undefined {
  return live.blocks.find((b) => b.qdev === qdev);
}

/** The device a node feeds (it is the device's root), to offer device throttling from a node. */
export function deviceForNode(live: LiveState, node: string): BlockInfo | undefined {
  return deviceOf(live, node);
}

/** The limits in force now, read back from query-block. */
export function currentDeviceLimits(device: BlockInfo): ThrottleLimits {
  return device.inserted ? fromDeviceInfo(device.inserted) : {};
}

export function planDeviceThrottle(live: LiveState, input: DeviceThrottleInput): PlanResult {
  if (!deviceThrottleSupported(live)) {
    return refuse({
      message:
        'This QEMU has no block_set_io_throttle (qemu-storage-daemon has no devices). Use a throttle group instead.',
    });
  }
  const device = findDevice(live, input.qdev);
  if (!device) {
    return refuse({ field: 'qdev', message: `There is no device '${input.qdev}' in query-block.` });
  }
  if (!device.inserted) {
    return refuse({ field: 'qdev', message: `Device '${input.qdev}' has no medium inserted.` });
  }
  const problems = limitProblems(input.limits);
  if (problems.length > 0) return refuse(...problems);
  const args = { id: input.qdev, ...toDeviceArguments(input.limits) };
  if (input.group) Object.assign(args, { group: input.group });
  const text = describeLimits(input.limits);
  return planned({
    summary:
      text === 'unlimited'
        ? `Remove the I/O limits of device '${input.qdev}'.`
        : `Limit device '${input.qdev}' to ${text}.`,
    steps: [
      {
        title: 'Set the device limits',
        explanation:
          'The limits apply to everything the guest does on this disk, immediately; 0 means unlimited.',
        command: 'block_set_io_throttle',
        arguments: args,
      },
    ],
    jobIds: [],
  });
}
