// Other panels (a job's source and target links, for example) ask the graph to select a node by
// name. A window event keeps those features free of any reference to the graph's state.
import { useEffect, useRef } from 'react';

export const FOCUS_NODE_EVENT = 'blockscope:focus-node';

export function requestFocusNode(nodeName: string): void {
  window.dispatchEvent(new CustomEvent(FOCUS_NODE_EVENT, { detail: { nodeName } }));
}

/** A node an address names (#/target/T/node/N): focused as soon as the graph has it. */
let pendingFocus: string | null = null;

export function requestFocusNodeWhenShown(nodeName: string): void {
  pendingFocus = nodeName;
  requestFocusNode(nodeName);
}

/**
 * Calls `onFocus` with the node name of every focus request (the latest callback is used); it
 * returns whether the graph has that node, and a request from an address is tried again after
 * every render until it has.
 */
export function useFocusNodeRequests(onFocus: (nodeName: string) => boolean): void {
  const ref = useRef(onFocus);
  useEffect(() => {
    ref.current = onFocus;
    if (pendingFocus !== null && onFocus(pendingFocus)) pendingFocus = null;
  });
  useEffect(() => {
    const listener = (event: Event) => {
      const name = (event as CustomEvent<{ nodeName?: unknown }>).detail?.nodeName;
      if (typeof name === 'string' && ref.current(name) && name === pendingFocus) {
        pendingFocus = null;
      }
    };
    window.addEventListener(FOCUS_NODE_EVENT, listener);
    return () => window.removeEventListener(FOCUS_NODE_EVENT, listener);
  }, []);
}
