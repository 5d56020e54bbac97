// One QmpClient per selected target, provided to the tree. Views read through TanStack Query;
// events reach features through useQmpEvent. After every (re)connect all of the target's queries
// are invalidated, because events from the gap are lost (QEMU does not queue them).
import {
  createContext,
  useContext,
  useEffect,
  useRef,
  useState,
  useSyncExternalStore,
  type ReactNode,
} from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { QmpClient, type ClientState, type SocketLike } from '../qmp/client.ts';
import type { QmpEvent } from '../qmp/wire.ts';
import { watchBackupLedger } from './backup-ledger-queries.ts';
import { watchNbdServer } from './nbd-server-queries.ts';
import { watchBlockGraph } from './block-graph-queries.ts';
import { watchHistory } from './history-queries.ts';
import { targetKey } from './query-keys.ts';
import { upstreamStateOptions, watchUpstreamState, type UpstreamState } from './upstream-state.ts';

interface QmpContextValue {
  target: string;
  client: QmpClient;
}

const QmpContext = createContext<QmpContextValue | null>(null);

export function qmpSocketUrl(target: string, base: Location = window.location): string {
  const scheme = base.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${base.host}/api/qmp/${encodeURIComponent(target)}`;
}

export function QmpProvider({ target, children }: { target: string; children: ReactNode }) {
  const queryClient = useQueryClient();
  const [client] = useState(
    () =>
      new QmpClient({
        url: qmpSocketUrl(target),
        createSocket: (url) => new WebSocket(url) as unknown as SocketLike,
      }),
  );
  useEffect(() => {
    const off = client.onState((state) => {
      // Reads already on their way (started while connecting) are kept, not sent twice.
      if (state === 'running') {
        void queryClient.invalidateQueries(
          { queryKey: targetKey(target) },
          { cancelRefetch: false },
        );
      }
    });
    // State the proxy only pushes (sent right after negotiation): listen before connecting.
    const offLedger = watchBackupLedger(queryClient, client, target);
    const offUpstream = watchUpstreamState(queryClient, client, target);
    const offNbd = watchNbdServer(queryClient, client, target);
    const offGraph = watchBlockGraph(queryClient, client, target);
    const offHistory = watchHistory(queryClient, client, target);
    client.connect();
    return () => {
      off();
      offLedger();
      offUpstream();
      offNbd();
      offGraph();
      offHistory();
      client.close();
    };
  }, [client, queryClient, target]);
  return <QmpContext.Provider value={{ target, client }}>{children}</QmpContext.Provider>;
}

function useQmpContext(): QmpContextValue {
  const value = useContext(QmpContext);
  if (!value) throw new Error('useQmp* hooks need a <QmpProvider> above them');
  return value;
}

export function useQmpClient(): QmpClient {
  return useQmpContext().client;
}

export function useTargetName(): string {
  return useQmpContext().target;
}

export function useConnectionState(): ClientState {
  const client = useQmpClient();
  return useSyncExternalStore(
    (notify) => client.onState(notify),
    () => client.currentState,
  );
}

/** Calls `handler` for every QMP event of the current target (the latest handler is always used). */
export function useQmpEvent(handler: (event: QmpEvent) => void): void {
  const client = useQmpClient();
  const ref = useRef(handler);
  useEffect(() => {
    ref.current = handler;
  });
  useEffect(() => client.onEvent((event) => ref.current(event)), [client]);
}

/** The current target's QEMU connection as the proxy last told it; undefined before it has. */
export function useUpstreamState(): UpstreamState | undefined {
  return useQuery(upstreamStateOptions(useTargetName())).data;
}
