// Commands a session sends to the proxy itself (`x-blockscope-…`, see PROXY_COMMAND_PREFIX): they
// are answered here, for either role, and never reach QEMU or the audit log (they change nothing
// in QEMU). Today one: a session says whether it wants the shared I/O statistics.
import {
  PROXY_COMMAND_PREFIX,
  ProxyCommand,
  type JsonObject,
  type QmpErrorBody,
} from '../src/qmp/wire.ts';
import type { CommandResult } from './command-queue.ts';
import type { Multiplexer, SessionSink } from './multiplexer.ts';

export function isProxyCommand(command: string): boolean {
  return command.startsWith(PROXY_COMMAND_PREFIX);
}

const error = (desc: string, errorClass = 'GenericError'): CommandResult => ({
  kind: 'error',
  error: { class: errorClass, desc } satisfies QmpErrorBody,
});

export function runProxyCommand(
  mux: Multiplexer,
  session: SessionSink,
  command: string,
  args: JsonObject = {},
): CommandResult {
  if (command !== ProxyCommand.WatchBlockStats) {
    return error(`The command ${command} has not been found`, 'CommandNotFound');
  }
  const extra = Object.keys(args).filter((key) => key !== 'enable');
  if (extra.length > 0) return error(`${command}: unexpected argument '${extra[0]}'`);
  if (typeof args.enable !== 'boolean') return error(`${command}: 'enable' must be true or false`);
  if (args.enable) mux.blockStats.watch(session);
  else mux.blockStats.unwatch(session);
  return { kind: 'return', value: { 'interval-ms': mux.blockStats.intervalMs } };
}
