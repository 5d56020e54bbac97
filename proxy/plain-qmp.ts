// What a plain QMP client (an exposed socket, session-transport.ts) hears of the events a session
// gets: QEMU's own, as on QEMU's socket. The proxy's `X_BLOCKSCOPE_` events are left out, and when
// the proxy's connection to QEMU is lost the client's connection ends, as it would on QEMU's own
// socket; the client connects again and is greeted once QEMU is back.
import { ProxyEvent, type QmpEvent } from '../src/qmp/wire.ts';

const PROXY_EVENT_PREFIX = 'X_BLOCKSCOPE_';

export type PlainEventAction = 'send' | 'skip' | 'close';

export function plainEventAction(event: QmpEvent): PlainEventAction {
  if (!event.event.startsWith(PROXY_EVENT_PREFIX)) return 'send';
  if (event.event === ProxyEvent.TargetState && event.data?.state !== 'connected') return 'close';
  return 'skip';
}
