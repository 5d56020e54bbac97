// The proxy's backup ledger (which full backup each dirty bitmap counts from). No QMP command
// reads it: the proxy pushes the whole ledger as X_BLOCKSCOPE_BACKUPS right after negotiation
// and on every change, and this module writes it into the cache. The listener is registered by
// the QmpProvider before it connects, so the ledger sent on joining is never missed; the query
// itself never fetches. `undefined` data means no ledger came (a proxy without one).
import { queryOptions, skipToken, type QueryClient } from '@tanstack/react-query';
import type { QmpClient } from '../qmp/client.ts';
import { parseBackupLedger, type BackupLedgerData } from '../qmp/backup-records.ts';
import { ProxyEvent, type QmpEvent } from '../qmp/wire.ts';
import { targetKey } from './query-keys.ts';

export function backupLedgerKey(target: string) {
  return [...targetKey(target), 'backup-ledger'] as const;
}

export function backupLedgerOptions(target: string) {
  return queryOptions<BackupLedgerData>({
    queryKey: backupLedgerKey(target),
    queryFn: skipToken,
    staleTime: Infinity,
  });
}

/** Writes an X_BLOCKSCOPE_BACKUPS event into the cache; true when the event was one. */
export function applyBackupsEvent(queryClient: QueryClient, target: string, event: QmpEvent) {
  if (event.event !== ProxyEvent.Backups) return false;
  const data = parseBackupLedger(event.data);
  if (!data) return false;
  queryClient.setQueryData(backupLedgerKey(target), data);
  return true;
}

/** Keeps the target's ledger in the cache while the client lives; returns the unsubscribe. */
export function watchBackupLedger(
  queryClient: QueryClient,
  client: Pick<QmpClient, 'onEvent'>,
  target: string,
): () => void {
  // Kept while no view shows it: the next one to open needs it, and only the proxy can send it.
  queryClient.setQueryDefaults(backupLedgerKey(target), { gcTime: Infinity });
  const off = client.onEvent((event) => applyBackupsEvent(queryClient, target, event));
  return () => {
    off();
    queryClient.removeQueries({ queryKey: backupLedgerKey(target) });
  };
}
