// A session over a WebSocket (/api/qmp/NAME): text frames are messages, binary frames close the
// session with 1008, a frame over the limit is closed by ws with 1009 (and audited here), and a
// ping every `heartbeatMs` drops a peer that stopped answering.
import type { RawData, WebSocket } from 'ws';
import { CloseCode } from '../src/qmp/close-codes.ts';
import type { JsonObject, QmpEvent } from '../src/qmp/wire.ts';
import type { CloseCause, SessionTransport, TransportHandlers } from './session-transport.ts';
import { closeReason, type Connection } from './ws-endpoint.ts';

/** Frames up to this size (UTF-16 units or bytes) are held back to leave together. */
const CORK_MAX_BYTES = 16 * 1024;

export class WsTransport implements SessionTransport {
  readonly plain = false;
  private alive = true;
  private heartbeat: ReturnType<typeof setInterval> | null = null;

  private corked = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly heartbeatMs: number,
    /** The connection ws writes to: frames sent in one turn of the event loop leave together. */
    private readonly connection: Connection,
  ) {}

  get open(): boolean {
    return this.ws.readyState === this.ws.OPEN;
  }

  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  get deliveredBytes(): number {
    return this.connection.bytesWritten - this.connection.writableLength;
  }

  bind(handlers: TransportHandlers): void {
    const { ws } = this;
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) {
        ws.close(CloseCode.PolicyViolation, 'binary frames are not QMP');
        return;
      }
      handlers.frame(
        Array.isArray(data) ? Buffer.concat(data).toString('utf8') : data.toString('utf8'),
      );
    });
    ws.on('pong', () => (this.alive = true));
    this.connection.on('drain', () => handlers.drained());
    ws.on('close', () => {
      if (this.heartbeat) clearInterval(this.heartbeat);
      handlers.closed();
    });
    ws.on('error', (error: Error & { code?: string }) => {
      if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
        handlers.refused('frame larger than the 64 KiB limit; the session was closed');
      }
    });
    this.heartbeat = setInterval(() => {
      if (ws.readyState !== ws.OPEN) return;
      // A paused session cannot hear its peer's pong; the pause is the proxy's, so it does not
      // count against the peer. It ends when replies drain (every command has a timeout) or,
      // for frames sent before the greeting, when QEMU is connected.
      if (handlers.paused()) {
        this.alive = true;
        return;
      }
      if (!this.alive) {
        ws.terminate();
        return;
      }
      this.alive = false;
      ws.ping();
    }, this.heartbeatMs);
  }

  pause(): void {
    this.ws.pause();
  }

  resume(): void {
    this.ws.resume();
  }

  sendEvent(event: QmpEvent): void {
    const frame = eventFrame(event);
    this.holdWrites(frame.length);
    this.ws.send(frame, { binary: false });
  }

  send(message: JsonObject): number {
    const text = JSON.stringify(message);
    this.holdWrites(text.length);
    this.ws.send(text);
    return text.length;
  }

  /**
   * Replies and events sent in one turn of the event loop (a chunk of QEMU's replies, a shared
   * read answering many commands, an event to every session) leave in one write, not one
   * syscall per frame: cork now, uncork on the next tick (as the Node docs suggest). Only
   * small frames hold writes back: a corked frame counts in `bufferedAmount` until the tick
   * ends, and a few large replies held together would look like a peer that stopped reading.
   */
  private holdWrites(size: number): void {
    const connection = this.connection;
    if (size > CORK_MAX_BYTES) {
      // What was held goes now, and this frame straight after it.
      if (this.corked) this.release(connection);
      return;
    }
    if (this.corked) return;
    this.corked = true;
    connection.cork();
    process.nextTick(() => {
      if (this.corked) this.release(connection);
    });
  }

  private release(connection: Connection): void {
    this.corked = false;
    connection.uncork();
  }

  close(cause: CloseCause): void {
    if (cause.kind === 'gone') {
      this.ws.close(CloseCode.TargetGone, closeReason(cause.reason));
      return;
    }
    // Reading again lets the close handshake through; the flow ignores frames from now on.
    this.ws.resume();
    this.ws.close(CloseCode.PolicyViolation, 'too much data while paused');
  }

  terminate(): void {
    this.ws.terminate();
  }
}

/**
 * Each event's frame, serialised and encoded once however many WebSocket sessions it goes to:
 * the multiplexer hands every session the same event object.
 */
const eventFrames = new WeakMap<QmpEvent, Buffer>();

function eventFrame(event: QmpEvent): Buffer {
  let bytes = eventFrames.get(event);
  if (!bytes) {
    bytes = Buffer.from(JSON.stringify(event));
    eventFrames.set(event, bytes);
  }
  return bytes;
}
