// The proxy's connection to the target's QEMU, as the proxy tells it (X_BLOCKSCOPE_TARGET_STATE,
// sent right after negotiation and on every change). The page's own WebSocket can be up while
// QEMU is gone: this is what says so. Pushed only, like the backup ledger: the listener is
// registered before the client connects and the query itself never fetches.
import { queryOptions, skipToken, type QueryClient } from '@tanstack/react-query';
import type { QmpClient } from '../qmp/client.ts';
import { ProxyEvent, type TargetState } from '../qmp/wire.ts';
import { targetKey } from './query-keys.ts';

export interface UpstreamState {
  state: TargetState;
  version?: string;
  reason?: string;
  /** When the page heard of this state (epoch ms). */
  since: number;
  /** When QEMU was last seen connected, if ever while this page was open (epoch ms). */
  lastConnected?: number;
}

const STATES = new Set<string>([
  'connecting',
  'negotiating',
  'connected',
  'busy',
  'disconnected',
  'gone',
]);

export function upstreamStateKey(target: string) {
  return [...targetKey(target), 'upstream'] as const;
}

export function upstreamStateOptions(target: string) {
  return queryOptions<UpstreamState>({
    queryKey: upstreamStateKey(target),
    queryFn: skipToken,
    staleTime: Infinity,
  });
}

/** Keeps the target's upstream state in the cache while the client lives; returns the unsubscribe. */
export function watchUpstreamState(
  queryClient: QueryClient,
  client: Pick<QmpClient, 'onEvent'>,
  target: string,
  now: () => number = Date.now,
): () => void {
  const key = upstreamStateKey(target);
  queryClient.setQueryDefaults(key, { gcTime: Infinity });
  const off = client.onEvent((event) => {
    if (event.event !== ProxyEvent.TargetState) return;
    const state = event.data?.state;
    if (typeof state !== 'string' || !STATES.has(state)) return;
    const before = queryClient.getQueryData<UpstreamState>(key);
    const at = now();
    const next: UpstreamState = {
      state: state as TargetState,
      // the same state again (a proxy re-announcing it) keeps the time it began
      since: before?.state === state ? before.since : at,
      ...(typeof event.data?.version === 'string' ? { version: event.data.version } : {}),
      ...(typeof event.data?.reason === 'string' ? { reason: event.data.reason } : {}),
    };
    const lastConnected = state === 'connected' ? at : before?.lastConnected;
    if (lastConnected !== undefined) next.lastConnected = lastConnected;
    queryClient.setQueryData(key, next);
  });
  return () => {
    off();
    queryClient.removeQueries({ queryKey: key });
  };
}
