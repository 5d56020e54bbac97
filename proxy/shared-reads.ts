// Single-flight for reads: while one `query-*` (or `x-debug-query-*`) command is on its way to
// QEMU, an identical one (same command, same arguments) from any session of the target is
// answered by the same reply instead of being sent again. Each session still puts its own id on
// the answer (session.ts), so sharing is invisible to a client except in timing. Five tabs that
// re-read the graph after the same event therefore cost QEMU one read, not five.
//
// Order stays as on QEMU's own socket: QEMU answers commands in the order it receives them
// (monitor/qmp.c handles one request at a time per monitor), so a read joined while no mutating
// command went to QEMU after it sees exactly what a new read would see. Every other command
// closes the current flights (barrier()): a read that arrives after a mutating command — its
// own session's or another's — is sent anew and sees the change.
import { isReadOnlyCommand, type JsonObject, type JsonValue } from '../src/qmp/wire.ts';
import type { CommandResult } from './command-queue.ts';

/** Reads that may be shared: QEMU's queries, whose reply depends only on command and arguments. */
export function isShareableRead(command: string): boolean {
  return (
    isReadOnlyCommand(command) &&
    (command.startsWith('query-') || command.startsWith('x-debug-query-'))
  );
}

/** The same text for the same arguments whatever the order of their members. */
function canonical(value: JsonValue | undefined): string {
  if (value === undefined) return '';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export class SharedReads {
  private flights = new Map<string, Promise<CommandResult>>();
  /** Reads answered by a flight already under way (not sent to QEMU again). */
  joined = 0;

  /**
   * The command's result: from the identical read in flight if there is one, else from `send`.
   * Commands that are not shareable reads are sent, and end the flights before them.
   */
  run(
    command: string,
    args: JsonObject | undefined,
    send: () => Promise<CommandResult>,
  ): Promise<CommandResult> {
    if (!isShareableRead(command)) {
      this.barrier();
      return send();
    }
    const key = `${command}\n${canonical(args)}`;
    const flight = this.flights.get(key);
    if (flight) {
      this.joined++;
      return flight;
    }
    const flights = this.flights;
    const sent = send();
    flights.set(key, sent);
    void sent.then(() => {
      if (flights.get(key) === sent) flights.delete(key);
    });
    return sent;
  }

  /** Later reads are sent anew (a mutating command was sent, or the connection changed). */
  barrier(): void {
    if (this.flights.size > 0) this.flights = new Map();
  }
}
