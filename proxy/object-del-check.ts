// object-del names an object by id only, so the policy cannot tell a throttle group (which an
// operator may remove) from a secret, an iothread or a memory backend (which it may not). The
// proxy asks QEMU for the object's type first. A check that cannot be made refuses the command.
import { ProxyErrorClass } from '../src/qmp/errors.ts';
import type { JsonObject, QmpErrorBody } from '../src/qmp/wire.ts';
import type { CommandResult } from './command-queue.ts';
import { OPERATOR_OBJECT_TYPES } from './command-lists.ts';

export async function objectDelRefusal(
  execute: (command: string, args?: JsonObject) => Promise<CommandResult>,
  command: string,
  args: JsonObject,
): Promise<QmpErrorBody | null> {
  if (command !== 'object-del') return null;
  const listed = await execute('qom-list', { path: '/objects' });
  const objects = listed.kind === 'return' && Array.isArray(listed.value) ? listed.value : [];
  const entry = objects.find(
    (o) => typeof o === 'object' && o !== null && !Array.isArray(o) && o.name === args.id,
  ) as { type?: unknown } | undefined;
  const type = /^child<(.+)>$/.exec(String(entry?.type ?? ''))?.[1];
  if (type !== undefined && OPERATOR_OBJECT_TYPES.has(type)) return null;
  return {
    class: ProxyErrorClass.Denied,
    desc: `object-del: '${String(args.id)}' is not a ${[...OPERATOR_OBJECT_TYPES].join(', ')} object (only those may be deleted)`,
  };
}
