// The shape check for a client's QMP command, after strict JSON parsing: exactly the members
// `execute`, optional `arguments` (an object) and optional `id` (any JSON). What passes is rebuilt
// from these three values alone; anything else is a BlockscopeBadRequest with the id when readable.
import { ProxyErrorClass } from '../src/qmp/errors.ts';
import type { JsonObject, JsonValue, QmpErrorBody } from '../src/qmp/wire.ts';

/** `id` is wrapped so that an id of `null` stays distinguishable from "no id". */
export type ClientCommand =
  | { command: string; args: JsonObject | undefined; id: { value: JsonValue } | undefined }
  | { error: QmpErrorBody; id: { value: JsonValue } | undefined; command?: string };

const COMMAND_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,127}$/;

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const bad = (desc: string, id?: { value: JsonValue }, command?: string): ClientCommand => ({
  error: { class: ProxyErrorClass.BadRequest, desc },
  id,
  ...(command ? { command } : {}),
});

export function parseClientCommand(value: JsonValue): ClientCommand {
  if (!isObject(value)) return bad('QMP input must be a JSON object');
  const id = Object.hasOwn(value, 'id') ? { value: value.id! } : undefined;
  const execute = value.execute;
  const command = typeof execute === 'string' && COMMAND_NAME.test(execute) ? execute : undefined;
  for (const key of Object.keys(value)) {
    if (key === 'exec-oob')
      return bad('out-of-band execution is not relayed by Blockscope', id, command);
    if (key !== 'execute' && key !== 'arguments' && key !== 'id') {
      return bad(`QMP input member '${key.slice(0, 64)}' is unexpected`, id, command);
    }
  }
  if (execute === undefined) return bad("QMP input lacks member 'execute'", id);
  if (!command) return bad("QMP input member 'execute' must be a command name", id);
  const args = value.arguments;
  if (args !== undefined && !isObject(args)) {
    return bad("QMP input member 'arguments' must be an object", id, command);
  }
  return { command, args, id };
}
