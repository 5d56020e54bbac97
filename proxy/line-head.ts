// Tells from the first bytes of a line too large to read whether it is an event or a reply, so an
// oversized event is dropped without failing a command that is still waiting for its own reply.
// QEMU writes an event as {"timestamp": …, "event": …, "data": …} and a reply as
// {"return": …, "id": …} or {"id": …, "error": …} (the member order of monitor/qmp.c's output,
// seen from QEMU 7.2 and 10.0); an id that comes first routes the failure to exactly its command.

export type LineHead = { kind: 'event' } | { kind: 'reply'; id?: string };

const FIRST_KEY = /^\s*\{\s*"([^"\\]{1,32})"\s*:\s*/;
const STRING_ID = /^"((?:[^"\\]|\\.){1,200})"/;

export function classifyLineHead(head: string): LineHead {
  const first = FIRST_KEY.exec(head);
  const key = first?.[1];
  if (key === 'event' || key === 'timestamp') return { kind: 'event' };
  if (key === 'id') {
    const id = STRING_ID.exec(head.slice(first![0].length));
    if (id?.[1] !== undefined) {
      try {
        return { kind: 'reply', id: JSON.parse(`"${id[1]}"`) as string };
      } catch {
        /* not a readable string: fall back to the oldest command */
      }
    }
  }
  // A reply (or something unreadable): QEMU answers in order, so it is the oldest command's.
  return { kind: 'reply' };
}
