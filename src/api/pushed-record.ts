// Records only the proxy pushes, as X_BLOCKSCOPE_* events right after a session's negotiation
// and on every change (the backup ledger, the NBD server, the state of its QEMU connection). No
// QMP command reads them, so their queries never fetch: the QmpProvider registers the listener
// before it connects, the event is written into the cache, and the record is kept while no view
// shows it (only the proxy can send it again) until the client goes.
import { queryOptions, skipToken, type QueryClient } from '@tanstack/react-query';
import type { QmpClient } from '../qmp/client.ts';
import type { QmpEvent } from '../qmp/wire.ts';
import { targetKey } from './query-keys.ts';

export interface PushedRecord<T> {
  key(target: string): readonly ['target', string, string];
  options(target: string): ReturnType<typeof queryOptions<T>>;
  /** Writes the event into the cache when it is this record's; true when it was. */
  apply(queryClient: QueryClient, target: string, event: QmpEvent): boolean;
  /** Keeps the target's record in the cache while the client lives; returns the unsubscribe. */
  watch(queryClient: QueryClient, client: Pick<QmpClient, 'onEvent'>, target: string): () => void;
}

/**
 * `next` turns the event's data into the record, given the one held now (undefined when the data
 * is not a valid record: the event is ignored).
 */
export function pushedRecord<T>(
  name: string,
  eventName: string,
  next: (data: QmpEvent['data'], before: T | undefined) => T | undefined,
): PushedRecord<T> {
  const key = (target: string) => [...targetKey(target), name] as const;
  const apply = (queryClient: QueryClient, target: string, event: QmpEvent) => {
    if (event.event !== eventName) return false;
    const record = next(event.data, queryClient.getQueryData<T>(key(target)));
    if (record === undefined) return false;
    queryClient.setQueryData(key(target), record);
    return true;
  };
  return {
    key,
    options: (target) =>
      queryOptions<T>({ queryKey: key(target), queryFn: skipToken, staleTime: Infinity }),
    apply,
    watch(queryClient, client, target) {
      queryClient.setQueryDefaults(key(target), { gcTime: Infinity });
      const off = client.onEvent((event) => apply(queryClient, target, event));
      return () => {
        off();
        queryClient.removeQueries({ queryKey: key(target) });
      };
    },
  };
}
