// The proxy's record of the NBD server (src/qmp/nbd-server.ts), pushed as
// X_BLOCKSCOPE_NBD_SERVER right after negotiation and on every change by any session
// (pushed-record.ts), so every tab shows the same server.
import { parseNbdServer, type NbdServerState } from '../qmp/nbd-server.ts';
import { ProxyEvent } from '../qmp/wire.ts';
import { pushedRecord } from './pushed-record.ts';

const record = pushedRecord<NbdServerState>(
  'nbd-server',
  ProxyEvent.NbdServer,
  (data) => parseNbdServer(data) ?? undefined,
);

export const nbdServerKey = record.key;
export const nbdServerOptions = record.options;
export const applyNbdServerEvent = record.apply;
export const watchNbdServer = record.watch;
