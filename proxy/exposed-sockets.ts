// The plain QMP sockets of --expose: for every target, DIR/NAME.qmp, served by the target's
// multiplexer like a WebSocket session (server.ts hands each client to a Session over a
// SocketTransport). A socket is created 0600, or 0660 and owned by the --expose group, and is in
// place with that mode before anyone can connect: it is bound inside a private directory, given
// its mode there, then hard-linked to its name, which fails rather than replace what is there.
// What is already at the name is left alone, unless it is a socket nobody listens on (left by an
// earlier run that was killed). A socket goes when its target goes and when the proxy stops, and
// only the file the proxy made is removed (same inode).
import {
  chmodSync,
  chownSync,
  linkSync,
  lstatSync,
  mkdtempSync,
  rmdirSync,
  unlinkSync,
  type Stats,
} from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import type { Role } from './policy.ts';

/** One --expose directory, checked (expose-dirs.ts). */
export interface ExposedDir {
  dir: string;
  role: Role;
  gid?: number;
}

export interface ClientInfo {
  target: string;
  role: Role;
  /** The socket's path, for the audit log. */
  peer: string;
}

export interface ExposedSocketsOptions {
  dirs: readonly ExposedDir[];
  onClient(socket: Socket, info: ClientInfo): void;
  log(line: string): void;
}

interface Listener {
  server: Server;
  path: string;
  file: Pick<Stats, 'dev' | 'ino'>;
  clients: Set<Socket>;
}

/** Longest path a unix socket address holds (sun_path, with its NUL). */
const MAX_SOCKET_PATH = 107;

export class ExposeError extends Error {
  override name = 'ExposeError';
}

export class ExposedSockets {
  private readonly live = new Map<string, { generation: number; listeners: Listener[] }>();
  private generation = 0;
  private closed = false;

  constructor(private readonly options: ExposedSocketsOptions) {}

  /** The sockets of one target; throws ExposeError (nothing left behind) when one cannot be made. */
  async open(target: string): Promise<void> {
    this.remove(target);
    const generation = ++this.generation;
    const entry = { generation, listeners: [] as Listener[] };
    this.live.set(target, entry);
    try {
      for (const dir of this.options.dirs) {
        const listener = await this.bind(dir, target);
        entry.listeners.push(listener);
        // The target went (or the proxy stopped) while the socket was being made.
        if (this.live.get(target)?.generation !== generation) throw new ExposeError('');
      }
    } catch (error) {
      for (const listener of entry.listeners) this.unbind(listener);
      if (this.live.get(target)?.generation === generation) this.live.delete(target);
      if (error instanceof ExposeError && !error.message) return;
      throw error;
    }
  }

  /** For targets that come and go: failures are logged, the target is served without its socket. */
  add(target: string): void {
    this.open(target).catch((error: Error) =>
      this.options.log(`no exposed socket for ${target}: ${error.message}`),
    );
  }

  remove(target: string): void {
    const entry = this.live.get(target);
    if (!entry) return;
    this.live.delete(target);
    for (const listener of entry.listeners) this.unbind(listener);
  }

  /** Every socket path now served (for tests and the log). */
  paths(): string[] {
    return [...this.live.values()].flatMap(({ listeners }) => listeners.map((l) => l.path));
  }

  close(): void {
    this.closed = true;
    for (const target of [...this.live.keys()]) this.remove(target);
  }

  private async bind(dir: ExposedDir, target: string): Promise<Listener> {
    if (this.closed) throw new ExposeError('');
    if (target.includes('/') || target.startsWith('.')) {
      throw new ExposeError(`the target name ${target} cannot be a file name`);
    }
    const path = join(dir.dir, `${target}.qmp`);
    if (Buffer.byteLength(path) > MAX_SOCKET_PATH) {
      throw new ExposeError(
        `${path}: longer than a unix socket path may be (${MAX_SOCKET_PATH} bytes)`,
      );
    }
    const clients = new Set<Socket>();
    const server = createServer({ allowHalfOpen: true }, (socket) => {
      clients.add(socket);
      socket.once('close', () => clients.delete(socket));
      this.options.onClient(socket, { target, role: dir.role, peer: `unix:${path}` });
    });
    const privateDir = mkdtempSync(join(dir.dir, '.bs'));
    const bound = join(privateDir, 's');
    try {
      await listen(server, bound);
      chmodSync(bound, dir.gid === undefined ? 0o600 : 0o660);
      // A socket made in a setgid directory, or by a process of that group, has the group already
      // (and a system-call filter may forbid chown).
      if (dir.gid !== undefined && lstatSync(bound).gid !== dir.gid) {
        try {
          chownSync(bound, process.getuid?.() ?? -1, dir.gid);
        } catch (error) {
          throw new ExposeError(
            `cannot give ${path} the group ${dir.gid} (${(error as Error).message}); the proxy's user must belong to it`,
          );
        }
      }
      await linkInto(bound, path);
    } catch (error) {
      server.close();
      throw error instanceof ExposeError
        ? error
        : new ExposeError(`${path}: ${(error as Error).message}`);
    } finally {
      try {
        unlinkSync(bound);
      } catch {
        /* not made */
      }
      rmdirSync(privateDir);
    }
    const { dev, ino } = lstatSync(path);
    return { server, path, file: { dev, ino }, clients };
  }

  private unbind(listener: Listener): void {
    listener.server.close();
    for (const client of listener.clients) client.destroy();
    try {
      const now = lstatSync(listener.path);
      if (now.dev === listener.file.dev && now.ino === listener.file.ino) unlinkSync(listener.path);
    } catch {
      /* already gone */
    }
  }
}

function listen(server: Server, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function kindOf(stats: Stats): string {
  if (stats.isFile()) return 'a regular file';
  if (stats.isDirectory()) return 'a directory';
  if (stats.isSymbolicLink()) return 'a symbolic link';
  return 'not a socket';
}

/** Whether a process listens on the unix socket at `path` (a refused connection says none does). */
function listenedOn(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', (error: Error & { code?: string }) =>
      resolve(error.code !== 'ECONNREFUSED' && error.code !== 'ENOENT'),
    );
  });
}

/** Gives the socket bound at `from` its name `to`, never replacing anything but a dead socket. */
async function linkInto(from: string, to: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      linkSync(from, to);
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== 'EEXIST' || attempt > 0) throw error;
    }
    const existing = lstatSync(to, { throwIfNoEntry: false });
    if (!existing) continue;
    if (!existing.isSocket()) {
      throw new ExposeError(
        `${to} exists and is ${kindOf(existing)}; Blockscope never deletes it: move it away or choose another --expose directory`,
      );
    }
    if (await listenedOn(to)) {
      throw new ExposeError(
        `${to} is a socket another process listens on; Blockscope leaves it alone: stop that process or choose another --expose directory`,
      );
    }
    unlinkSync(to); // a socket nobody listens on, left by an earlier run
  }
}
