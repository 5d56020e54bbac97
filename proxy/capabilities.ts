// The greeting a session gets and its answer to qmp_capabilities, as QEMU's own monitor gives them
// (monitor/qmp.c qmp_greeting, monitor/qmp-cmds-control.c qmp_qmp_capabilities, and the argument
// checks of the generated marshaller for qapi/control.json's `enable: ['QMPCapability']`).
//
// QEMU offers `oob` on a monitor that runs in its I/O thread (every socket monitor). The proxy does
// not: it keeps one connection to QEMU and runs every session's commands on it in order, so it can
// not carry out-of-band execution. The greeting therefore lists no capabilities, exactly as QEMU's
// does on a monitor without the I/O thread, and asking for `oob` gets QEMU's answer there.
import type { JsonObject, JsonValue, QmpErrorBody, QmpGreeting } from '../src/qmp/wire.ts';

/** The one capability QEMU defines (qapi/control.json QMPCapability). */
const KNOWN_CAPABILITIES = ['oob'];

export function sessionGreeting(greeting: QmpGreeting): JsonObject {
  return { QMP: { version: greeting.QMP.version as unknown as JsonValue, capabilities: [] } };
}

const generic = (desc: string): QmpErrorBody => ({ class: 'GenericError', desc });

/** The error QEMU gives for these `qmp_capabilities` arguments, or null when negotiation succeeds. */
export function negotiationError(args: JsonObject | undefined): QmpErrorBody | null {
  const enable = args?.enable;
  const wanted: string[] = [];
  if (args && 'enable' in args) {
    if (!Array.isArray(enable))
      return generic("Invalid parameter type for 'enable', expected: array");
    for (const [i, item] of enable.entries()) {
      if (typeof item !== 'string') {
        return generic(`Invalid parameter type for 'enable[${i}]', expected: string`);
      }
      // QEMU's enum visitor names no member here ('null'; 7.2 and 10.0 alike).
      if (!KNOWN_CAPABILITIES.includes(item)) {
        return generic(`Parameter 'null' does not accept value '${item}'`);
      }
      wanted.push(item);
    }
  }
  const extra = Object.keys(args ?? {}).find((key) => key !== 'enable');
  if (extra !== undefined) return generic(`Parameter '${extra}' is unexpected`);
  // None is offered, so every one asked for is unavailable; QEMU lists them all, repeats included.
  if (wanted.length > 0) return generic(`Capability ${wanted.join(', ')} not available`);
  return null;
}

/** After a successful negotiation, qmp_capabilities is refused (CommandNotFound, as QEMU does). */
export const ALREADY_NEGOTIATED: QmpErrorBody = {
  class: 'CommandNotFound',
  desc: 'Capabilities negotiation is already complete, command ignored',
};

/** Any other command before negotiation (monitor/qmp.c monitor_qmp_dispatch). */
export const NOT_NEGOTIATED: QmpErrorBody = {
  class: 'CommandNotFound',
  desc: "Expecting capabilities negotiation with 'qmp_capabilities'",
};
