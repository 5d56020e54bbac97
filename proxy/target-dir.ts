// One --target-dir DIR as a source of targets: every unix socket in DIR is a target named after
// the file without its extension (vm1.qmp → vm1), added when the socket appears and marked gone
// when it goes. fs.watch says soon that something changed; a full rescan every rescanMs catches
// what it misses (inotify drops events under load, and a directory replaced under the same name is
// not watched any more). A socket that does not speak QMP stays listed with the upstream's reason
// ("did not start with a QMP greeting"), like any target that cannot be used.
import { watch, type FSWatcher } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { TARGET_NAME } from './config.ts';
import type { TargetSet } from './target-set.ts';

export interface TargetDirOptions {
  dir: string;
  targets: TargetSet;
  /** Whether a name is taken by something else (a --target, another directory's socket). */
  isTaken: (name: string) => boolean;
  log: (line: string) => void;
  rescanMs?: number;
}

/** vm1.qmp → vm1, vm1.sock → vm1, vm1 → vm1; null for a name that cannot be a target's. */
export function targetNameOfSocket(file: string): string | null {
  const dot = file.lastIndexOf('.');
  const name = dot > 0 ? file.slice(0, dot) : file;
  return TARGET_NAME.test(name) ? name : null;
}

export class TargetDirSource {
  readonly dir: string;
  /** file name → target name, for the sockets that are targets now. */
  private readonly watched = new Map<string, string>();
  private readonly skipped = new Set<string>();
  private watcher: FSWatcher | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private soon: ReturnType<typeof setTimeout> | null = null;
  private scanning: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private state: 'connecting' | 'connected' | 'unreachable' = 'connecting';
  private reason: string | undefined;

  constructor(private readonly options: TargetDirOptions) {
    this.dir = resolve(options.dir);
  }

  /** Whether this directory has a target of that name. */
  owns(name: string): boolean {
    return [...this.watched.values()].includes(name);
  }

  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => void this.scan(), this.options.rescanMs ?? 5_000);
    this.timer.unref();
    this.watchDir();
    this.report();
    void this.scan();
  }

  stop(): void {
    this.stopped = true;
    this.watcher?.close();
    this.watcher = null;
    if (this.timer) clearInterval(this.timer);
    if (this.soon) clearTimeout(this.soon);
    this.timer = this.soon = null;
  }

  private watchDir(): void {
    if (this.watcher || this.stopped) return;
    try {
      this.watcher = watch(this.dir, { persistent: false }, () => this.scanSoon());
      this.watcher.on('error', () => {
        this.watcher?.close();
        this.watcher = null;
        this.scanSoon();
      });
    } catch {
      this.watcher = null; // the directory is missing: the rescan reports it and tries again
    }
  }

  /** Several changes at once (a socket removed and created again) make one scan. */
  private scanSoon(): void {
    if (this.soon || this.stopped) return;
    this.soon = setTimeout(() => {
      this.soon = null;
      void this.scan();
    }, 50);
  }

  /** Reads the directory; a request while one runs makes one more run after it. */
  scan(): Promise<void> {
    if (this.scanning) {
      this.again = true;
      return this.scanning;
    }
    this.scanning = (async () => {
      do {
        this.again = false;
        await this.scanOnce();
      } while (this.again && !this.stopped);
    })().finally(() => (this.scanning = null));
    return this.scanning;
  }

  private async scanOnce(): Promise<void> {
    let entries;
    try {
      entries = await readdir(this.dir, { withFileTypes: true });
    } catch (error) {
      if (this.stopped) return;
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      this.state = 'unreachable';
      this.reason = `cannot read the directory (${reason})`;
      this.watcher?.close();
      this.watcher = null;
      for (const file of [...this.watched.keys()]) this.forget(file, `the directory went away`);
      this.report();
      // nothing to watch: look again each second until it is back
      if (!this.soon)
        this.soon = setTimeout(() => {
          this.soon = null;
          void this.scan();
        }, 1_000);
      return;
    }
    if (this.stopped) return;
    this.state = 'connected';
    this.reason = undefined;
    this.watchDir();
    const sockets = new Set(entries.filter((e) => e.isSocket()).map((e) => e.name));
    for (const file of this.skipped) if (!sockets.has(file)) this.skipped.delete(file);
    for (const file of [...this.watched.keys()]) {
      if (!sockets.has(file)) this.forget(file, `the socket ${join(this.dir, file)} was removed`);
    }
    for (const file of [...sockets].sort()) {
      if (!this.watched.has(file)) this.add(file);
    }
    this.report();
  }

  private add(file: string): void {
    const { targets } = this.options;
    const name = targetNameOfSocket(file);
    // a gone target of the same name (this socket, earlier) may come back
    const taken = name !== null && (this.options.isTaken(name) || targets.get(name) !== undefined);
    if (name === null || taken) {
      if (!this.skipped.has(file)) {
        this.skipped.add(file);
        this.options.log(
          `--target-dir ${this.dir}: not watching ${file}: ` +
            (name === null
              ? 'its name cannot be a target name (a letter, then letters, digits, . _ -)'
              : `the target name '${name}' is taken`),
        );
      }
      return;
    }
    this.skipped.delete(file);
    this.watched.set(file, name);
    const mux = targets.add({
      name,
      address: { type: 'unix', path: join(this.dir, file) },
      dir: this.dir,
    });
    mux.upstream.start();
  }

  private forget(file: string, reason: string): void {
    const name = this.watched.get(file);
    this.watched.delete(file);
    if (name !== undefined) this.options.targets.markGone(name, reason);
  }

  private report(): void {
    this.options.targets.setSource({
      kind: 'target-dir',
      id: this.dir,
      state: this.state,
      ...(this.reason ? { reason: this.reason } : {}),
      targets: this.watched.size,
    });
  }
}
