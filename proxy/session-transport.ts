// What a session (session.ts) needs from the connection it speaks QMP over: a WebSocket from a page
// or a script (ws-transport.ts), or a client of an exposed unix socket (socket-transport.ts). The
// session parses, checks and answers frames the same way whichever carries them; the transport
// frames the bytes, writes replies in its own encoding, and says when the peer is gone.
import type { JsonObject, QmpEvent } from '../src/qmp/wire.ts';
import type { PausableSocket } from './session-flow.ts';

/** Why the session closes its connection. */
export type CloseCause =
  /** The peer sent more while paused than the session holds. */
  | { kind: 'flood' }
  /** The target went away (target-set.ts); `reason` says why. */
  | { kind: 'gone'; reason: string };

export interface TransportHandlers {
  /** One complete client message (a WebSocket text frame, one JSON value from a socket). */
  frame(text: string): void;
  /** The peer sent something the transport refuses by itself (a frame too large): for the audit. */
  refused(desc: string): void;
  /** The connection is closed, from either side. */
  closed(): void;
  /** True while the session is not reading (a peer's answer to a ping could not be heard). */
  paused(): boolean;
  /** True when every message received has been answered (nothing pending or held). */
  idle(): boolean;
  /** What was written has all gone to the peer (the connection's `drain`). */
  drained(): void;
}

export interface SessionTransport extends PausableSocket {
  /**
   * Plain QMP as on QEMU's own socket: QEMU's events only (none of the proxy's `X_BLOCKSCOPE_`
   * events), no `x-blockscope-` commands, and the connection ends when QEMU's does.
   */
  readonly plain: boolean;
  /** Whether messages can still be written. */
  readonly open: boolean;
  /** Bytes written and not yet taken by the peer. */
  readonly bufferedAmount: number;
  /** Bytes the peer has taken so far (handed to the kernel): it grows while the peer reads. */
  readonly deliveredBytes: number;
  /** Starts delivering to the session; called once. */
  bind(handlers: TransportHandlers): void;
  /** Writes a reply; returns its size (in bytes or UTF-16 units: what the buffer counts). */
  send(message: JsonObject): number;
  /**
   * An event: the multiplexer hands every session the same object, so a transport may
   * serialise it once for all of its kind.
   */
  sendEvent(event: QmpEvent): void;
  /** Closes after what is already written. */
  close(cause: CloseCause): void;
  /** Drops the connection now (a peer that does not read its replies). */
  terminate(): void;
}
