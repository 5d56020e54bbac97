// A test client for a plain QMP unix socket (QEMU's own or one the proxy exposes): it keeps every
// line exactly as received, so tests can compare bytes, and parses each for matching.
import { connect, type Socket } from 'node:net';

import { MessageInbox, type Message } from './message-inbox.ts';

export type { Message };

export class PlainQmp extends MessageInbox {
  /** Every line received, without its CRLF. */
  readonly lines: string[] = [];
  private partial = '';
  readonly closed: Promise<void>;

  private constructor(readonly socket: Socket) {
    super();
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.partial += chunk;
      let nl: number;
      while ((nl = this.partial.indexOf('\n')) >= 0) {
        const line = this.partial.slice(0, nl).replace(/\r$/, '');
        this.partial = this.partial.slice(nl + 1);
        this.lines.push(line);
        const message = JSON.parse(line) as Message;
        this.received(message);
      }
    });
    this.closed = new Promise((resolve) => socket.on('close', () => resolve()));
  }

  /** Connects; with `negotiate`, waits for the greeting and runs qmp_capabilities. */
  static async open(path: string, { negotiate = true } = {}): Promise<PlainQmp> {
    const socket = connect(path);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const client = new PlainQmp(socket);
    if (negotiate) {
      await client.next((m) => 'QMP' in m);
      const reply = await client.send({ execute: 'qmp_capabilities', id: '__neg' });
      if (!('return' in reply)) throw new Error(`negotiation failed: ${JSON.stringify(reply)}`);
    }
    return client;
  }

  /** Sends a command and waits for the next reply carrying its id. */
  send(command: Message): Promise<Message> {
    return this.sendRaw(JSON.stringify(command) + '\n', command.id);
  }

  /** Writes text and waits for the next reply with this id (or with none when `id` is undefined). */
  sendRaw(text: string, id?: unknown): Promise<Message> {
    const key = JSON.stringify(id);
    const before = this.messages.length;
    this.socket.write(text);
    return this.next(
      (m) =>
        !('event' in m) &&
        !('QMP' in m) &&
        JSON.stringify(m.id) === key &&
        this.messages.indexOf(m) >= before,
    );
  }

  /** The line a message was received as. */
  lineOf(message: Message): string {
    return this.lines[this.messages.indexOf(message)]!;
  }

  events(name?: string): Message[] {
    return this.messages.filter((m) => typeof m.event === 'string' && (!name || m.event === name));
  }

  close(): void {
    this.socket.destroy();
  }
}
