// A scripted QMP server on a unix socket, only for faults a real QEMU will not produce on demand:
// hung replies, oversized lines, replies with unknown ids, id-less errors. It speaks just enough
// QMP for the proxy to connect (greeting, qmp_capabilities, a small schema) and hands every other
// command to the test's script. It records each line it receives and the most commands it ever
// had unanswered at once.
import { createServer, type Server, type Socket } from 'node:net';
import { rm } from 'node:fs/promises';

export interface FakeCommand {
  execute: string;
  arguments?: Record<string, unknown>;
  id?: unknown;
}

export interface FakeConnection {
  reply(id: unknown, value: unknown): void;
  error(id: unknown, errorClass: string, desc: string): void;
  /** Writes raw text (a newline is not added). */
  raw(text: string | Buffer): void;
  /** Forgets a command without answering (for scripts that answer later through raw()). */
  forget(id: unknown): void;
}

/** Returns nothing to leave the command unanswered (hung), or answers through `conn`. */
export type FakeScript = (command: FakeCommand, conn: FakeConnection) => void;

export interface FakeQmp {
  path: string;
  received: FakeCommand[];
  connections: number;
  maxOutstanding: number;
  stop(): Promise<void>;
}

const GREETING = {
  QMP: {
    version: { qemu: { micro: 0, minor: 2, major: 7 }, package: 'fake-qmp' },
    capabilities: ['oob'],
  },
};

/** The fake's schema: enough commands for the proxy's policy and job poller. */
const COMMANDS = [
  'query-status',
  'query-version',
  'query-jobs',
  'query-block-jobs',
  'blockdev-add',
];

export interface FakeOptions {
  /** Delay before answering query-qmp-schema, to hold the proxy in its negotiation. */
  schemaDelayMs?: number;
}

export async function startFakeQmp(
  path: string,
  script: FakeScript,
  options: FakeOptions = {},
): Promise<FakeQmp> {
  const sockets = new Set<Socket>();
  const fake: FakeQmp = {
    path,
    received: [],
    connections: 0,
    maxOutstanding: 0,
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(path, { force: true });
    },
  };
  const server: Server = createServer((socket) => {
    fake.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const outstanding = new Set<string>();
    const write = (message: unknown) => socket.write(JSON.stringify(message) + '\r\n');
    const conn: FakeConnection = {
      reply: (id, value) => {
        outstanding.delete(JSON.stringify(id));
        write({ return: value, id });
      },
      error: (id, errorClass, desc) => {
        outstanding.delete(JSON.stringify(id));
        write({ error: { class: errorClass, desc }, id });
      },
      raw: (text) => socket.write(text),
      forget: (id) => outstanding.delete(JSON.stringify(id)),
    };
    write(GREETING);
    let buffer = '';
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const command = JSON.parse(buffer.slice(0, nl)) as FakeCommand;
        buffer = buffer.slice(nl + 1);
        fake.received.push(command);
        outstanding.add(JSON.stringify(command.id));
        fake.maxOutstanding = Math.max(fake.maxOutstanding, outstanding.size);
        if (command.execute === 'qmp_capabilities') conn.reply(command.id, {});
        else if (command.execute === 'query-qmp-schema') {
          const schema = COMMANDS.map((name) => ({
            name,
            'meta-type': 'command',
            'arg-type': '0',
            'ret-type': '0',
          }));
          setTimeout(() => conn.reply(command.id, schema), options.schemaDelayMs ?? 0);
        } else if (command.execute === 'query-jobs' || command.execute === 'query-block-jobs') {
          conn.reply(command.id, []);
        } else script(command, conn);
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, resolve);
  });
  return fake;
}
