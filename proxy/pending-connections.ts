// Connections that have not yet sent a complete request head are unauthenticated: nothing about
// them is known. They are capped in number and given a short deadline, so a peer that opens many
// sockets, or sends its headers a byte at a time, cannot hold the server (cockpit-ws MaxStartups,
// websockify has no limit). Node's own headersTimeout is checked only every 30 s and has no cap.
import type { IncomingMessage, Server } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';

export interface PendingLimits {
  /** Sockets waiting for their first request head; one more is closed at once. */
  maxPending: number;
  /** Time a socket has to send its first complete request head. */
  headDeadlineMs: number;
}

export const DEFAULT_PENDING_LIMITS: PendingLimits = { maxPending: 32, headDeadlineMs: 5_000 };

export type PendingDrop = 'too many pending connections' | 'request head too slow';

export function limitPendingConnections(
  server: Server | HttpsServer,
  secure: boolean,
  limits: PendingLimits,
  onDropped: (peer: string, reason: PendingDrop) => void,
): { readonly count: number } {
  const pending = new Map<Socket, NodeJS.Timeout>();
  const settle = (socket: Socket) => {
    const timer = pending.get(socket);
    if (timer === undefined) return;
    clearTimeout(timer);
    pending.delete(socket);
  };
  const peer = (socket: Socket) => `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
  const drop = (socket: Socket, reason: PendingDrop) => {
    onDropped(peer(socket), reason);
    socket.destroy();
  };
  // For HTTPS the request's socket is the TLS socket, so count those (the TLS handshake itself
  // has its own handshakeTimeout).
  server.on(secure ? 'secureConnection' : 'connection', (socket: Socket) => {
    if (pending.size >= limits.maxPending) return drop(socket, 'too many pending connections');
    const timer = setTimeout(() => {
      pending.delete(socket);
      drop(socket, 'request head too slow');
    }, limits.headDeadlineMs);
    timer.unref();
    pending.set(socket, timer);
    socket.once('close', () => settle(socket));
  });
  const onHead = (req: IncomingMessage) => settle(req.socket);
  server.on('request', onHead);
  server.on('upgrade', onHead);
  return {
    get count() {
      return pending.size;
    },
  };
}
