// Other panels (a job's source and target links, an address naming a node) ask the graph to
// select a node by name. The request is a value in the query cache (never fetched, nothing
// global), so those features need no reference to the graph's state. The graph hears requests
// made while it is shown; a request from an address is kept until the graph has that node.
import { skipToken, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef } from 'react';

interface FocusRequest {
  nodeName: string;
  /** Counts requests, so asking for the same node twice selects it twice. */
  seq: number;
  /** From an address (#/target/T/node/N): tried after every render until the graph has it. */
  untilShown?: boolean;
}

const focusKey = ['ui', 'focus-node'] as const;

/** A function that asks the graph to select and show a node. */
export function useRequestFocusNode(): (
  nodeName: string,
  options?: { untilShown?: boolean },
) => void {
  const queryClient = useQueryClient();
  return useCallback(
    (nodeName, options) =>
      queryClient.setQueryData<FocusRequest>(focusKey, (old) => ({
        nodeName,
        seq: (old?.seq ?? 0) + 1,
        ...(options?.untilShown ? { untilShown: true } : {}),
      })),
    [queryClient],
  );
}

/**
 * Calls `onFocus` with the node name of every request made from now on (the latest callback);
 * it returns whether the graph has that node. A request made before the graph was shown is not
 * replayed when it mounts, unless it came from an address.
 */
export function useFocusNodeRequests(onFocus: (nodeName: string) => boolean): void {
  const ref = useRef(onFocus);
  useEffect(() => {
    ref.current = onFocus;
  });
  const request = useQuery<FocusRequest>({
    queryKey: focusKey,
    queryFn: skipToken,
    staleTime: Infinity,
  }).data;
  const handled = useRef(request?.untilShown ? 0 : (request?.seq ?? 0));
  // After every render: a request from an address waits for the graph to read its node.
  useEffect(() => {
    if (!request || request.seq <= handled.current) return;
    const found = ref.current(request.nodeName);
    if (found || !request.untilShown) handled.current = request.seq;
  });
}
