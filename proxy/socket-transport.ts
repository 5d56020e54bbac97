// A session over a client of an exposed unix socket (exposed-sockets.ts), speaking QMP as QEMU's
// own socket does: messages are JSON values split as QEMU's monitor splits them (json-splitter.ts),
// replies and events are written as QEMU writes them (qemu-json-text.ts), one per line ending in
// CRLF. Reading stops while the session has its share of commands pending; what the peer writes
// meanwhile waits in the kernel's socket buffer, as it does in front of QEMU. A peer that finishes
// writing (shuts down its side, as `socat` does at the end of its input) still gets the replies to
// what it sent, then the connection ends.
import type { Socket } from 'node:net';
import { ProxyErrorClass } from '../src/qmp/errors.ts';
import type { JsonObject, QmpEvent } from '../src/qmp/wire.ts';
import { JsonSplitter } from './json-splitter.ts';
import { qemuMessageText } from './qemu-json-text.ts';
import type { CloseCause, SessionTransport, TransportHandlers } from './session-transport.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });

export class SocketTransport implements SessionTransport {
  readonly plain = true;
  private readonly splitter: JsonSplitter;
  private peerDone = false;
  private handlers: TransportHandlers | null = null;

  constructor(
    private readonly socket: Socket,
    maxMessageBytes: number,
  ) {
    this.splitter = new JsonSplitter(maxMessageBytes);
  }

  get open(): boolean {
    return !this.socket.destroyed && this.socket.writable;
  }

  get bufferedAmount(): number {
    return this.socket.writableLength;
  }

  get deliveredBytes(): number {
    return this.socket.bytesWritten - this.socket.writableLength;
  }

  bind(handlers: TransportHandlers): void {
    const { socket } = this;
    this.handlers = handlers;
    socket.on('data', (chunk: Buffer) => {
      for (const item of this.splitter.push(chunk)) {
        if (item.kind === 'oversized') {
          this.protocolError(handlers, 'a message larger than the 64 KiB limit');
          return;
        }
        let text: string;
        try {
          text = utf8.decode(item.bytes);
        } catch {
          this.protocolError(handlers, 'a message that is not valid UTF-8');
          return;
        }
        handlers.frame(text);
      }
    });
    socket.on('end', () => {
      this.peerDone = true;
      this.endIfAnswered();
    });
    socket.on('drain', () => handlers.drained());
    socket.on('error', () => socket.destroy());
    socket.on('close', () => handlers.closed());
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    if (!this.peerDone) this.socket.resume();
  }

  sendEvent(event: QmpEvent): void {
    // Written in QEMU's own text (qemu-json-text.ts), so each socket formats its copy.
    this.send(event as unknown as JsonObject);
  }

  send(message: JsonObject): number {
    const text = qemuMessageText(message) + '\r\n';
    this.socket.write(text);
    if (this.peerDone) queueMicrotask(() => this.endIfAnswered());
    return text.length;
  }

  close(_cause: CloseCause): void {
    this.socket.end();
  }

  terminate(): void {
    this.socket.destroy();
  }

  private endIfAnswered(): void {
    if (this.peerDone && this.handlers?.idle()) this.socket.end();
  }

  /** The peer broke the framing: say so once, as QEMU's errors look, and end the connection. */
  private protocolError(handlers: TransportHandlers, what: string): void {
    const desc = `${what}; the connection was closed`;
    handlers.refused(desc);
    this.socket.end(
      qemuMessageText({ error: { class: ProxyErrorClass.BadRequest, desc } }) + '\r\n',
    );
  }
}
