// The audit log: one JSON line per mutating or refused command (and per refused connection),
// appended to --audit-log, mode 0600. Written synchronously so lines keep their order and survive
// a crash right after; the volume is a person's clicks, not a data stream. Refused connections
// and HTTP requests (which anyone who can reach the port can cause, token or not) are the
// exception: the first in a turn of the event loop is written at once, the others of that turn
// together at its end, so a flood costs two writes per turn rather than one per request. Any
// other line writes those waiting first, so the order stays.
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { ProxyErrorClass } from '../src/qmp/errors.ts';
import type { JsonValue } from '../src/qmp/wire.ts';
import type { CommandResult } from './command-queue.ts';

export type AuditOutcome =
  | 'ok' // QEMU returned success
  | 'error' // QEMU returned an error
  | 'refused' // the proxy refused it; QEMU never saw it
  | 'outcome-unknown' // sent, then the connection dropped
  | 'timeout' // sent, no reply in time
  | 'not-sent'; // QEMU was not connected

export interface AuditEntry {
  time: string;
  role: string | null;
  peer: string;
  target: string | null;
  command: string | null;
  arguments?: JsonValue;
  outcome: AuditOutcome;
  error?: { class: string; desc: string };
  durationMs: number;
}

export function auditOutcome(result: CommandResult): AuditOutcome {
  if (result.kind === 'return') return 'ok';
  switch (result.error.class) {
    case ProxyErrorClass.OutcomeUnknown:
      return 'outcome-unknown';
    case ProxyErrorClass.Timeout:
      return 'timeout';
    case ProxyErrorClass.Disconnected:
      return 'not-sent';
    default:
      return 'error';
  }
}

/** Argument names whose values are secrets (or name secrets); replaced by "***". */
const SECRET_KEY = /(password|passphrase|secret|token|^key$|^iv$)/i;

export function redact(value: JsonValue | undefined): JsonValue | undefined {
  if (Array.isArray(value)) return value.map((item) => redact(item) ?? null);
  if (typeof value !== 'object' || value === null) return value;
  const out: { [key: string]: JsonValue } = {};
  for (const [key, member] of Object.entries(value)) {
    out[key] = SECRET_KEY.test(key) ? '***' : (redact(member) ?? null);
  }
  return out;
}

function lineOf(entry: Omit<AuditEntry, 'time'>): string {
  const line: AuditEntry = { time: new Date().toISOString(), ...entry };
  if ('arguments' in line) line.arguments = redact(line.arguments);
  return JSON.stringify(line) + '\n';
}

/** How many of each target's latest lines are kept in memory for GET /api/targets/NAME/audit. */
export const RECENT_PER_TARGET = 200;
/** Targets whose lines are kept (names come and go with --target-dir and libvirt). */
const MAX_TARGETS = 1024;

export class AuditLog {
  private fd: number | null = null;
  private pending: string[] = [];
  /** A refusal was written this turn; more wait for the turn's end. */
  private turnBusy = false;
  /**
   * Each target's latest lines (sessions' commands and refusals, with or without a file), newest
   * last: what the page shows as the target's audit log. Lines without a target stay in the file.
   */
  private readonly recentByTarget = new Map<string, AuditEntry[]>();

  constructor(readonly path?: string) {
    if (!path) return;
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, 'a', 0o600);
  }

  write(entry: Omit<AuditEntry, 'time'>): void {
    const line = lineOf(entry);
    if (entry.target !== null) this.remember(entry.target, line);
    if (this.fd === null) return;
    this.pending.push(line);
    this.flush();
  }

  /** The target's latest lines, oldest first (as written: time stamped, secrets redacted). */
  recent(target: string): readonly AuditEntry[] {
    return this.recentByTarget.get(target) ?? [];
  }

  private remember(target: string, line: string): void {
    const lines = this.recentByTarget.get(target) ?? [];
    lines.push(JSON.parse(line) as AuditEntry);
    if (lines.length > RECENT_PER_TARGET) lines.splice(0, lines.length - RECENT_PER_TARGET);
    // A guest that stops and starts again keeps its lines; re-inserted, the Map's order is the
    // order of last use, and the names used longest ago go past MAX_TARGETS.
    this.recentByTarget.delete(target);
    this.recentByTarget.set(target, lines);
    if (this.recentByTarget.size > MAX_TARGETS) {
      this.recentByTarget.delete(this.recentByTarget.keys().next().value!);
    }
  }

  /** A line for a refusal before any session exists (see the top of this file). */
  writeSoon(entry: Omit<AuditEntry, 'time'>): void {
    if (this.fd === null) return;
    this.pending.push(lineOf(entry));
    if (this.turnBusy) return;
    this.turnBusy = true;
    this.flush();
    setImmediate(() => {
      this.turnBusy = false;
      this.flush();
    });
  }

  close(): void {
    this.flush();
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  private flush(): void {
    if (this.fd === null || this.pending.length === 0) return;
    const text = this.pending.join('');
    this.pending = [];
    writeSync(this.fd, text);
  }
}
