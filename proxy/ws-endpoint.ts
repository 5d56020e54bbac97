// The WebSocket endpoint /api/qmp/NAME. Every check runs on the raw upgrade request, before any
// WebSocket exists (the `ws` README's advice): Host, no credentials in the URL, authentication,
// an exact Origin (required for cookie auth; a script with a bearer token may send none), and a
// target name from the proxy's own configuration. A refused upgrade gets an HTTP status and the
// socket is closed, so it never reaches the multiplexer or QEMU; an authenticated upgrade to a
// target the proxy does not serve is accepted and closed at once with 4004 (CloseCode), and so is
// a page's upgrade whose session cookie no longer signs in, with 4001.
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { CloseCode } from '../src/qmp/close-codes.ts';
import { hasTokenInQuery, type Authenticator, type HostCheck } from './auth.ts';
import type { Role } from './policy.ts';

export const MAX_INBOUND_BYTES = 64 * 1024;

/**
 * The connection under an accepted WebSocket: the server's net.Socket (node:http hands the
 * upgrade its socket), whose writes can be held back and sent together and which says when its
 * buffer has gone to the peer.
 */
export type Connection = Pick<Socket, 'cork' | 'uncork' | 'on' | 'bytesWritten' | 'writableLength'>;

export interface WsEndpointOptions {
  auth: Authenticator;
  hostCheck: () => HostCheck;
  hasTarget: (name: string) => boolean;
  /** Why a target that went away went (target-set.ts); undefined for a live or unknown one. */
  goneReason?: (name: string) => string | undefined;
  /** True when the target already has as many sessions as it accepts. */
  isFull: (name: string) => boolean;
  /** Called with each accepted WebSocket and the connection under it (for corking its writes). */
  onSession: (
    ws: WebSocket,
    info: { target: string; role: Role; peer: string; connection: Connection },
  ) => void;
  onRefused?: (req: IncomingMessage, status: number, reason: string) => void;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  421: 'Misdirected Request',
  503: 'Service Unavailable',
};

export function peerOf(req: IncomingMessage): string {
  const { remoteAddress, remotePort } = req.socket;
  return `${remoteAddress ?? '?'}:${remotePort ?? '?'}`;
}

/** A close reason fits in 123 bytes (RFC 6455 §5.5); longer text is cut at a character. */
export function closeReason(text: string): string {
  let out = text;
  while (Buffer.byteLength(out) > 123) out = out.slice(0, -1);
  return out;
}

export function createWsEndpoint(options: WsEndpointOptions) {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_INBOUND_BYTES,
    perMessageDeflate: false,
    skipUTF8Validation: false,
  });

  const refuse = (req: IncomingMessage, socket: Duplex, status: number, reason: string) => {
    options.onRefused?.(req, status, reason);
    const body = JSON.stringify({ error: reason });
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\nConnection: close\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  };

  function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    try {
      checkAndUpgrade(req, socket, head);
    } catch {
      refuse(req, socket, 400, 'bad request'); // a malformed URL must not take the server down
    }
  }

  function checkAndUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (!options.hostCheck().hostAllowed(req))
      return refuse(req, socket, 421, 'unexpected Host header');
    if (hasTokenInQuery(req.url)) {
      return refuse(req, socket, 400, 'credentials are not accepted in a URL query');
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const match = /^\/api\/qmp\/([^/]+)$/.exec(url.pathname);
    if (!match?.[1] || url.search) return refuse(req, socket, 404, 'not found');
    const auth = options.auth.authenticate(req);
    const origin = req.headers.origin;
    if (!auth) {
      if (
        options.auth.hasSessionCookie(req) &&
        origin &&
        options.hostCheck().originAllowed(origin)
      ) {
        // The page's own session cookie, no longer valid: a refused upgrade reaches a page only as
        // 1006, which it must retry, so accept and close with a code that says to sign in again.
        // Nothing is read from the socket and nothing reaches the multiplexer or QEMU.
        options.onRefused?.(req, 401, 'session ended');
        wss.handleUpgrade(req, socket, head, (ws) =>
          ws.close(CloseCode.Unauthorized, 'session ended'),
        );
        return;
      }
      return refuse(req, socket, 401, 'not authenticated');
    }
    if (origin === undefined ? auth.via === 'cookie' : !options.hostCheck().originAllowed(origin)) {
      return refuse(req, socket, 403, origin === undefined ? 'Origin required' : 'foreign Origin');
    }
    let target: string;
    try {
      target = decodeURIComponent(match[1]);
    } catch {
      return refuse(req, socket, 404, 'unknown target');
    }
    const gone = options.goneReason?.(target);
    if (gone !== undefined) {
      // Like an unknown target, but the page keeps trying: a stopped guest may start again.
      wss.handleUpgrade(req, socket, head, (ws) =>
        ws.close(CloseCode.TargetGone, closeReason(gone)),
      );
      return;
    }
    if (!options.hasTarget(target)) {
      // Authenticated, so the name is no secret: accept and close with a code a browser can read
      // (a refused upgrade reaches a page only as 1006, which it must retry).
      options.onRefused?.(req, 404, 'unknown target');
      wss.handleUpgrade(req, socket, head, (ws) =>
        ws.close(CloseCode.UnknownTarget, 'unknown target'),
      );
      return;
    }
    if (options.isFull(target))
      return refuse(req, socket, 503, 'too many sessions for this target');
    const peer = peerOf(req);
    wss.handleUpgrade(req, socket, head, (ws) => {
      options.onSession(ws, { target, role: auth.role, peer, connection: socket as Socket });
    });
  }

  return { wss, handleUpgrade };
}
