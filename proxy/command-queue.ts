// The commands of one upstream connection: a bounded FIFO of commands not yet written, at most
// `maxInFlight` written and unanswered (the QMP spec's advice is 8), a timeout per command, and
// the rule that a reply is matched only by its proxy-owned id. A command that timed out keeps its
// in-flight slot (QEMU is still working on it) and its late reply is dropped, never handed on.
import { ProxyErrorClass } from '../src/qmp/errors.ts';
import {
  isReadOnlyCommand,
  type JsonObject,
  type JsonValue,
  type QmpErrorBody,
} from '../src/qmp/wire.ts';

export type CommandResult =
  { kind: 'return'; value: JsonValue } | { kind: 'error'; error: QmpErrorBody };

interface Entry {
  id: string;
  command: string;
  frame: string;
  timer: ReturnType<typeof setTimeout> | null;
  timeoutMs: number;
  /** Set once the caller has its answer (timeout); the entry may still occupy a slot. */
  settled: boolean;
  resolve: (result: CommandResult) => void;
}

export interface CommandQueueOptions {
  maxInFlight: number;
  maxQueued: number;
  /** Writes one command's line to QEMU; `command` is its name. */
  write: (frame: string, command: string) => void;
}

const fail = (errorClass: string, desc: string): CommandResult => ({
  kind: 'error',
  error: { class: errorClass, desc },
});

export class CommandQueue {
  /** Not yet written, oldest first (a Map keeps insertion order; every operation is O(1)). */
  private readonly waiting = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Entry>();
  private seq = 0;

  constructor(
    private readonly prefix: string,
    private readonly options: CommandQueueOptions,
  ) {}

  get pendingCount(): number {
    return this.waiting.size + this.inFlight.size;
  }

  submit(command: string, args: JsonObject | undefined, timeoutMs: number): Promise<CommandResult> {
    if (this.waiting.size >= this.options.maxQueued) {
      return Promise.resolve(
        fail(
          ProxyErrorClass.Overloaded,
          `more than ${this.options.maxQueued} commands are waiting for this QEMU`,
        ),
      );
    }
    const id = `${this.prefix}:${++this.seq}`;
    const frame = JSON.stringify(
      args ? { execute: command, arguments: args, id } : { execute: command, id },
    );
    return new Promise((resolve) => {
      const entry: Entry = { id, command, frame, timer: null, timeoutMs, settled: false, resolve };
      entry.timer = setTimeout(() => this.timeOut(entry), timeoutMs);
      this.waiting.set(id, entry);
      this.pump();
    });
  }

  /** Routes a reply by id; returns false when the id is not one of ours in flight. */
  reply(id: JsonValue | undefined, result: CommandResult): boolean {
    const entry = typeof id === 'string' ? this.inFlight.get(id) : undefined;
    if (!entry) return false;
    this.inFlight.delete(entry.id);
    this.finish(entry, result);
    this.pump();
    return true;
  }

  /**
   * Settles the oldest command in flight with `result`; false when none is in flight. QEMU handles
   * one client's commands in order without OOB and queues an unreadable line's error in the same
   * order (monitor/qmp.c), and the proxy writes one object per line, so an answer that cannot be
   * matched by id (an id-less error, an oversized reply) belongs to the oldest command written.
   * A command that timed out still counts: QEMU has not answered it yet.
   */
  answerOldest(result: CommandResult): boolean {
    const oldest = this.inFlight.values().next();
    if (oldest.done) return false;
    this.inFlight.delete(oldest.value.id);
    this.finish(oldest.value, result);
    this.pump();
    return true;
  }

  /** The connection is gone: every command settles now. */
  failAll(reason: string): void {
    const unsent = [...this.waiting.values()];
    this.waiting.clear();
    for (const entry of unsent) {
      this.finish(entry, fail(ProxyErrorClass.Disconnected, `${reason}; the command was not sent`));
    }
    for (const entry of this.inFlight.values()) {
      this.finish(
        entry,
        isReadOnlyCommand(entry.command)
          ? fail(ProxyErrorClass.Disconnected, `${reason} before the reply arrived`)
          : fail(
              ProxyErrorClass.OutcomeUnknown,
              `${reason} after the command was sent; it may or may not have run`,
            ),
      );
    }
    this.inFlight.clear();
  }

  private pump(): void {
    while (this.inFlight.size < this.options.maxInFlight && this.waiting.size > 0) {
      const entry = this.waiting.values().next().value!;
      this.waiting.delete(entry.id);
      this.inFlight.set(entry.id, entry);
      this.options.write(entry.frame, entry.command);
    }
  }

  private timeOut(entry: Entry): void {
    entry.timer = null;
    if (this.waiting.delete(entry.id)) {
      this.finish(
        entry,
        fail(
          ProxyErrorClass.Timeout,
          `not sent within ${entry.timeoutMs} ms: QEMU is not answering earlier commands`,
        ),
      );
      return;
    }
    this.finish(
      entry,
      fail(
        ProxyErrorClass.Timeout,
        `no reply within ${entry.timeoutMs} ms${isReadOnlyCommand(entry.command) ? '' : '; the command may still run'}`,
      ),
    );
  }

  private finish(entry: Entry, result: CommandResult): void {
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = null;
    if (entry.settled) return;
    entry.settled = true;
    entry.resolve(result);
  }
}
