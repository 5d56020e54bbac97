// The proxy's record of a target's NBD server, as X_BLOCKSCOPE_NBD_SERVER carries it (written by
// proxy/nbd-server-record.ts, read by the page). QEMU has no query for the server itself
// (qapi/block-export.json offers query-block-exports for the exports only).
import type { JsonValue } from './wire.ts';

/** Where an NBD server listens, in the flat shape (the legacy shape is built at the command). */
export type NbdAddress =
  { type: 'inet'; host: string; port: number } | { type: 'unix'; path: string };

/**
 * `unknown`: the proxy saw no start or stop (it may run, started by the command line or another
 * monitor). `address` is absent when the server runs but the proxy did not see it start.
 */
export interface NbdServerState {
  state: 'running' | 'stopped' | 'unknown';
  address?: NbdAddress;
  /** NBD export names by export id, for exports added through the proxy. */
  names?: Record<string, string>;
}

export const UNKNOWN_NBD_SERVER: NbdServerState = { state: 'unknown' };

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function parseAddress(value: unknown): NbdAddress | undefined {
  if (!isRecord(value)) return undefined;
  if (value.type === 'inet' && typeof value.host === 'string' && Number.isInteger(value.port)) {
    return { type: 'inet', host: value.host, port: value.port as number };
  }
  if (value.type === 'unix' && typeof value.path === 'string') {
    return { type: 'unix', path: value.path };
  }
  return undefined;
}

/** The event's data checked member by member; null when it is not a record at all. */
export function parseNbdServer(data: JsonValue | undefined): NbdServerState | null {
  if (!isRecord(data)) return null;
  const { state } = data;
  if (state !== 'running' && state !== 'stopped' && state !== 'unknown') return null;
  const names: Record<string, string> = {};
  if (isRecord(data.names)) {
    for (const [id, name] of Object.entries(data.names)) {
      if (typeof name === 'string') names[id] = name;
    }
  }
  const address = state === 'running' ? parseAddress(data.address) : undefined;
  return address ? { state, address, names } : { state, names };
}
