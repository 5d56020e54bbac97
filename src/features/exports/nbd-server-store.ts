// What Blockscope knows about each target's NBD server. QEMU offers no query for it (7.2 and
// 10.0), so the address is remembered from our own nbd-server-start, per target, in session
// storage so a reload keeps it. "unknown" means nothing is recorded.
import { useSyncExternalStore } from 'react';
import type { NbdServerState } from '../operations/plans/live-state.ts';

const listeners = new Set<() => void>();
const cache = new Map<string, NbdServerState>();
const storageKey = (target: string) => `blockscope.nbd-server.${target}`;

function load(target: string): NbdServerState {
  const cached = cache.get(target);
  if (cached) return cached;
  let state: NbdServerState = { state: 'unknown' };
  try {
    const text = globalThis.sessionStorage?.getItem(storageKey(target));
    if (text) state = JSON.parse(text) as NbdServerState;
  } catch {
    /* storage unavailable or corrupt: unknown */
  }
  cache.set(target, state);
  return state;
}

export function getNbdServer(target: string): NbdServerState {
  return load(target);
}

export function setNbdServer(target: string, state: NbdServerState): void {
  cache.set(target, state);
  try {
    globalThis.sessionStorage?.setItem(storageKey(target), JSON.stringify(state));
  } catch {
    /* kept in memory only */
  }
  for (const listener of listeners) listener();
}

export function useNbdServer(target: string): NbdServerState {
  return useSyncExternalStore(
    (notify) => {
      listeners.add(notify);
      return () => listeners.delete(notify);
    },
    () => load(target),
  );
}

/** Export names by export id: query-block-exports does not return them (qmp-domain.md §3.3). */
const names = new Map<string, Map<string, string>>();
const namesKey = (target: string) => `blockscope.nbd-export-names.${target}`;

function loadNames(target: string): Map<string, string> {
  let map = names.get(target);
  if (map) return map;
  map = new Map();
  try {
    const text = globalThis.sessionStorage?.getItem(namesKey(target));
    if (text) map = new Map(Object.entries(JSON.parse(text) as Record<string, string>));
  } catch {
    /* unknown names fall back to the id */
  }
  names.set(target, map);
  return map;
}

export function exportName(target: string, id: string): string | undefined {
  return loadNames(target).get(id);
}

export function rememberExportName(target: string, id: string, name: string): void {
  const map = loadNames(target);
  map.set(id, name);
  try {
    globalThis.sessionStorage?.setItem(namesKey(target), JSON.stringify(Object.fromEntries(map)));
  } catch {
    /* kept in memory only */
  }
  for (const listener of listeners) listener();
}
