// Other panels (a job's source and target links, for example) ask the graph to select a node by
// name. The request is a value in the query cache (never fetched, nothing global), so those
// features need no reference to the graph's state and the graph hears only requests made while
// it is shown, in the QueryClient of its own page.
import { skipToken, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef } from 'react';

interface FocusRequest {
  nodeName: string;
  /** Counts requests, so asking for the same node twice selects it twice. */
  seq: number;
}

const focusKey = ['ui', 'focus-node'] as const;

/** A function that asks the graph to select and show a node. */
export function useRequestFocusNode(): (nodeName: string) => void {
  const queryClient = useQueryClient();
  return useCallback(
    (nodeName: string) =>
      queryClient.setQueryData<FocusRequest>(focusKey, (old) => ({
        nodeName,
        seq: (old?.seq ?? 0) + 1,
      })),
    [queryClient],
  );
}

/** Calls `onFocus` with the node name of every request made from now on (latest callback). */
export function useFocusNodeRequests(onFocus: (nodeName: string) => void): void {
  const ref = useRef(onFocus);
  useEffect(() => {
    ref.current = onFocus;
  });
  const request = useQuery<FocusRequest>({
    queryKey: focusKey,
    queryFn: skipToken,
    staleTime: Infinity,
  }).data;
  // A request made before the graph was shown is not replayed when it mounts.
  const handled = useRef(request?.seq ?? 0);
  useEffect(() => {
    if (!request || request.seq <= handled.current) return;
    handled.current = request.seq;
    ref.current(request.nodeName);
  }, [request]);
}
