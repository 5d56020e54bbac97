// Shared reads: while one `query-*` (or `x-debug-query-*`, `qom-list`) command is on its way to QEMU, an
// identical one (same command, same arguments) from any session of the target is answered by
// the same reply instead of being sent again (single-flight). Each session still puts its own id
// on the answer (session.ts), so sharing is invisible to a client except in timing.
//
// A reply also answers the same read for a short while after it came (RECENT_MS), as long as
// nothing happened in between that could change it: no command other than a shareable read was
// sent (barrier()) and QEMU sent no event (event()). Tabs re-read after the same event up to
// hundreds of milliseconds apart (each lays out its graph on a busy CPU), and QEMU answers a
// read in about a millisecond, so without it five tabs would still cost five reads. What changes
// without a command or an event (I/O counters, job progress, dirty-bitmap counts) is at most
// RECENT_MS older than a read sent anew: the cadence of the proxy's own shared pollers. A session
// is never answered from a reply older than itself: a page opened or reloaded right after
// another monitor changed something QEMU announces no event for (block-export-add) reads QEMU.
//
// Order stays as on QEMU's own socket: QEMU answers commands in the order it receives them
// (monitor/qmp.c handles one request at a time per monitor), so a read shared while no mutating
// command went to QEMU after it sees exactly what a new read would see. A read that arrives
// after a mutating command — its own session's or another's — is sent anew and sees the change.
import { isReadOnlyCommand, type JsonObject, type JsonValue } from '../src/qmp/wire.ts';
import type { CommandResult } from './command-queue.ts';

/** How long a reply answers the same read when nothing happened since. */
export const RECENT_MS = 1_000;

/**
 * Reads whose readers take the time of the answer as the time of the figures (rates are
 * differences over time): only a read in flight answers them, never an older reply.
 */
const TIMED_READS = new Set(['query-blockstats']);

/** Above this many kept reads, the old replies are dropped before a new read is kept. */
const MAX_KEPT = 256;

/** Reads that may be shared: QEMU's queries, whose reply depends only on command and arguments. */
export function isShareableRead(command: string): boolean {
  return (
    isReadOnlyCommand(command) &&
    (command.startsWith('query-') || command.startsWith('x-debug-query-') || command === 'qom-list')
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

interface Flight {
  result: Promise<CommandResult>;
  /** Set when QEMU answered (with a return): until then the read is in flight. */
  answeredAt?: number;
}

export class SharedReads {
  private flights = new Map<string, Flight>();
  /** Reads answered by an identical read in flight or just answered (not sent to QEMU again). */
  joined = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * The command's result: from the identical read in flight or just answered if there is one,
   * else from `send`. Commands that are not shareable reads are sent, after a barrier.
   * `recent: false` (the proxy's pollers, which stamp what they publish with the time of the
   * answer) joins only a read in flight; `newerThan` (a session's start) takes only a reply that
   * came after it.
   */
  run(
    command: string,
    args: JsonObject | undefined,
    send: () => Promise<CommandResult>,
    { recent = true, newerThan }: { recent?: boolean; newerThan?: number } = {},
  ): Promise<CommandResult> {
    if (!isShareableRead(command)) {
      this.barrier();
      return send();
    }
    const key = `${command}\n${canonical(args)}`;
    const flight = this.flights.get(key);
    const reuse = recent && !TIMED_READS.has(command);
    const answered = flight?.answeredAt;
    if (
      flight &&
      (answered === undefined ||
        (reuse &&
          this.now() - answered < RECENT_MS &&
          (newerThan === undefined || answered >= newerThan)))
    ) {
      this.joined++;
      return flight.result;
    }
    if (this.flights.size >= MAX_KEPT) this.prune();
    const flights = this.flights;
    const entry: Flight = { result: send() };
    flights.set(key, entry);
    void entry.result.then((result) => {
      if (flights.get(key) !== entry) return;
      // An error is not kept: the next read asks QEMU again.
      if (result.kind === 'return') entry.answeredAt = this.now();
      else flights.delete(key);
    });
    return entry.result;
  }

  /** Drops the replies too old to answer anything (a script may read with ever new arguments). */
  private prune(): void {
    const now = this.now();
    for (const [key, flight] of this.flights) {
      if (flight.answeredAt !== undefined && now - flight.answeredAt >= RECENT_MS) {
        this.flights.delete(key);
      }
    }
  }

  /** Later reads are sent anew (a mutating command was sent, or the connection changed). */
  barrier(): void {
    if (this.flights.size > 0) this.flights = new Map();
  }

  /**
   * QEMU announced a change: later reads are sent anew. (A read in flight may be answered
   * before or after the change; one sent now is answered after it.)
   */
  event(): void {
    this.barrier();
  }
}
