// NBD addresses and URIs. nbd-server-start still takes the legacy SocketAddress
// ({type, data: {...}}) while exports and the CLI use the flat one (qmp-domain.md §5.4, §7).
import type { JsonObject } from '../../../qmp/wire.ts';
import type { NbdAddress } from './live-state.ts';
import type { Problem } from './types.ts';

export const DEFAULT_NBD_ADDRESS: NbdAddress = { type: 'inet', host: '127.0.0.1', port: 10809 };

/** The legacy shape nbd-server-start wants; the port travels as a string. */
export function legacySocketAddress(address: NbdAddress): JsonObject {
  return address.type === 'inet'
    ? { type: 'inet', data: { host: address.host, port: String(address.port) } }
    : { type: 'unix', data: { path: address.path } };
}

/** nbd:// for TCP, nbd+unix:// with ?socket= for a unix socket (the NBD URI spec). */
export function nbdUri(address: NbdAddress, exportName: string): string {
  const name = encodeURIComponent(exportName);
  if (address.type === 'unix') {
    return `nbd+unix:///${name}?socket=${encodeURIComponent(address.path)}`;
  }
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  return `nbd://${host}:${address.port}/${name}`;
}

function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === '::1' || host === 'localhost';
}

export function nbdAddressProblem(address: NbdAddress, allowNonLoopback = false): Problem | null {
  if (address.type === 'unix') {
    return address.path.startsWith('/')
      ? null
      : { field: 'address', message: 'Give the socket an absolute path.' };
  }
  if (!Number.isInteger(address.port) || address.port < 1 || address.port > 65535) {
    return { field: 'port', message: 'The port must be between 1 and 65535.' };
  }
  if (!allowNonLoopback && !isLoopback(address.host)) {
    return {
      field: 'host',
      message: `NBD has no authentication here: listening on ${address.host} would expose the disk to the network. Use 127.0.0.1 or a unix socket.`,
    };
  }
  return null;
}

export function describeAddress(address: NbdAddress): string {
  return address.type === 'unix'
    ? `unix socket ${address.path}`
    : `${address.host}:${address.port}`;
}

/** Reads the legacy shape back (from a plan's nbd-server-start step). */
export function fromLegacySocketAddress(value: unknown): NbdAddress | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { type, data } = value as { type?: unknown; data?: Record<string, unknown> };
  if (type === 'inet' && data && typeof data.host === 'string') {
    return { type: 'inet', host: data.host, port: Number(data.port) };
  }
  if (type === 'unix' && data && typeof data.path === 'string') {
    return { type: 'unix', path: data.path };
  }
  return undefined;
}
