// A unix-socket relay in front of a real QEMU monitor that records what reaches QEMU: how many
// connections were made and every line written towards QEMU. Tests use it to show that only one
// connection exists and that a refused command never got to QEMU.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { rm } from 'node:fs/promises';

export interface RecordingRelay {
  path: string;
  connections: number;
  /** Lines sent towards QEMU, in order, over all connections. */
  lines: string[];
  linesMatching(pattern: RegExp): string[];
  /** Resolves once a line matching `pattern` has reached the relay (now or before). */
  nextLine(pattern: RegExp): Promise<string>;
  /**
   * Holds what the proxy writes: recorded, not forwarded to QEMU until release(). A test makes
   * commands concurrent with it: QEMU cannot answer what it has not received.
   */
  hold(): void;
  release(): void;
  stop(): Promise<void>;
}

export async function startRecordingRelay(
  path: string,
  qemuSocket: string,
): Promise<RecordingRelay> {
  const sockets = new Set<Socket>();
  let waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  let held: { upstream: Socket; chunk: Buffer }[] | null = null;
  const relay: RecordingRelay = {
    path,
    connections: 0,
    lines: [],
    linesMatching: (pattern) => relay.lines.filter((line) => pattern.test(line)),
    nextLine: (pattern) => {
      const seen = relay.lines.find((line) => pattern.test(line));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.push({ pattern, resolve }));
    },
    hold() {
      held ??= [];
    },
    release() {
      const chunks = held ?? [];
      held = null;
      for (const { upstream, chunk } of chunks) upstream.write(chunk);
    },
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(path, { force: true });
    },
  };
  const server: Server = createServer((client) => {
    relay.connections++;
    const upstream = connect(qemuSocket);
    sockets.add(client).add(upstream);
    let partial = '';
    client.on('data', (chunk: Buffer) => {
      partial += chunk.toString('utf8');
      let nl: number;
      while ((nl = partial.indexOf('\n')) >= 0) {
        const line = partial.slice(0, nl);
        relay.lines.push(line);
        partial = partial.slice(nl + 1);
        waiters = waiters.filter((w) => {
          if (!w.pattern.test(line)) return true;
          w.resolve(line);
          return false;
        });
      }
      if (held) held.push({ upstream, chunk });
      else upstream.write(chunk);
    });
    upstream.pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, resolve);
  });
  return relay;
}
