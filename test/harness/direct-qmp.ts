// A deliberately small QMP client over a unix socket, for tests to look at QEMU directly,
// independent of the proxy under test. One command at a time is enough here.
import { connect, type Socket } from 'node:net';

export interface DirectEvent {
  event: string;
  data?: Record<string, unknown>;
}

export class DirectQmp {
  private buffer = '';
  private waiting: ((line: Record<string, unknown>) => void)[] = [];
  private nextId = 1;
  readonly events: DirectEvent[] = [];
  private eventWaiters: {
    match: (e: DirectEvent) => boolean;
    resolve: (e: DirectEvent) => void;
  }[] = [];

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      let nl: number;
      while ((nl = this.buffer.indexOf('\n')) >= 0) {
        const line = this.buffer.slice(0, nl).trim();
        this.buffer = this.buffer.slice(nl + 1);
        if (line) this.dispatch(JSON.parse(line) as Record<string, unknown>);
      }
    });
  }

  static async connect(path: string): Promise<DirectQmp> {
    const socket = connect(path);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const client = new DirectQmp(socket);
    await client.next(); // greeting
    await client.execute('qmp_capabilities');
    return client;
  }

  private dispatch(message: Record<string, unknown>): void {
    if (typeof message.event === 'string') {
      const event = message as unknown as DirectEvent;
      this.events.push(event);
      this.eventWaiters = this.eventWaiters.filter((w) => {
        if (!w.match(event)) return true;
        w.resolve(event);
        return false;
      });
      return;
    }
    this.waiting.shift()?.(message);
  }

  private next(): Promise<Record<string, unknown>> {
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Runs a command; throws with QEMU's error text on an error reply. */
  async execute<T = unknown>(command: string, args?: Record<string, unknown>): Promise<T> {
    const id = this.nextId++;
    const reply = this.next();
    this.socket.write(
      JSON.stringify({ execute: command, ...(args ? { arguments: args } : {}), id }) + '\n',
    );
    const message = await reply;
    if ('error' in message) {
      const error = message.error as { class: string; desc: string };
      throw new Error(`${command}: ${error.class}: ${error.desc}`);
    }
    return message.return as T;
  }

  /** Resolves with the first event (already received or future) that matches. */
  waitForEvent(match: (e: DirectEvent) => boolean, timeoutMs = 30_000): Promise<DirectEvent> {
    const seen = this.events.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('timed out waiting for an event')),
        timeoutMs,
      );
      this.eventWaiters.push({
        match,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e);
        },
      });
    });
  }

  close(): void {
    this.socket.destroy();
  }
}
