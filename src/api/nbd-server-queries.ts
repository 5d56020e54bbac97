// The proxy's record of the NBD server (src/qmp/nbd-server.ts). No QMP command reads it: the
// proxy pushes it as X_BLOCKSCOPE_NBD_SERVER right after negotiation and on every change by any
// session, and this module writes it into the cache, so every tab shows the same server. The
// listener is registered by the QmpProvider before it connects; the query never fetches.
import { queryOptions, skipToken, type QueryClient } from '@tanstack/react-query';
import type { QmpClient } from '../qmp/client.ts';
import { parseNbdServer, type NbdServerState } from '../qmp/nbd-server.ts';
import { ProxyEvent, type QmpEvent } from '../qmp/wire.ts';
import { targetKey } from './query-keys.ts';

export function nbdServerKey(target: string) {
  return [...targetKey(target), 'nbd-server'] as const;
}

export function nbdServerOptions(target: string) {
  return queryOptions<NbdServerState>({
    queryKey: nbdServerKey(target),
    queryFn: skipToken,
    staleTime: Infinity,
  });
}

/** Writes an X_BLOCKSCOPE_NBD_SERVER event into the cache; true when the event was one. */
export function applyNbdServerEvent(queryClient: QueryClient, target: string, event: QmpEvent) {
  if (event.event !== ProxyEvent.NbdServer) return false;
  const data = parseNbdServer(event.data);
  if (!data) return false;
  queryClient.setQueryData(nbdServerKey(target), data);
  return true;
}

/** Keeps the target's record in the cache while the client lives; returns the unsubscribe. */
export function watchNbdServer(
  queryClient: QueryClient,
  client: Pick<QmpClient, 'onEvent'>,
  target: string,
): () => void {
  // Kept while no view shows it: only the proxy can send it.
  queryClient.setQueryDefaults(nbdServerKey(target), { gcTime: Infinity });
  const off = client.onEvent((event) => applyNbdServerEvent(queryClient, target, event));
  return () => {
    off();
    queryClient.removeQueries({ queryKey: nbdServerKey(target) });
  };
}
