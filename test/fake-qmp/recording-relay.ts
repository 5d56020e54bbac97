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
  stop(): Promise<void>;
}

export async function startRecordingRelay(
  path: string,
  qemuSocket: string,
): Promise<RecordingRelay> {
  const sockets = new Set<Socket>();
  const relay: RecordingRelay = {
    path,
    connections: 0,
    lines: [],
    linesMatching: (pattern) => relay.lines.filter((line) => pattern.test(line)),
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
        relay.lines.push(partial.slice(0, nl));
        partial = partial.slice(nl + 1);
      }
      upstream.write(chunk);
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
