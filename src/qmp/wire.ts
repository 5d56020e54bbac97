// QMP wire types and the one place that classifies a parsed frame (QMP spec, docs/interop/qmp-spec.rst).
// Env-neutral: imported by the proxy (Node) and by the browser client alike.

export type JsonValue =
  null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export type JsonObject = { [key: string]: JsonValue };

export interface QemuVersion {
  qemu: { major: number; minor: number; micro: number };
  package: string;
}

export interface QmpGreeting {
  QMP: { version: QemuVersion; capabilities: string[] };
}

export interface QmpCommand {
  execute: string;
  arguments?: JsonObject;
  id?: JsonValue;
}

export interface QmpErrorBody {
  class: string;
  desc: string;
}

export interface QmpEvent {
  event: string;
  data?: JsonObject;
  timestamp: { seconds: number; microseconds: number };
}

/** A frame from QEMU (or from the proxy, which speaks the same protocol), classified once. */
export type QmpMessage =
  | { kind: 'greeting'; greeting: QmpGreeting }
  | { kind: 'return'; id: JsonValue | undefined; value: JsonValue }
  | { kind: 'error'; id: JsonValue | undefined; error: QmpErrorBody }
  | { kind: 'event'; event: QmpEvent };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Classifies a parsed JSON value; returns null for anything that is not a QMP server message. */
export function classifyMessage(value: unknown): QmpMessage | null {
  if (!isObject(value)) return null;
  const id = 'id' in value ? (value.id as JsonValue) : undefined;
  if ('return' in value) return { kind: 'return', id, value: value.return as JsonValue };
  if ('error' in value) {
    const error = value.error;
    if (!isObject(error)) return null;
    return {
      kind: 'error',
      id,
      error: { class: String(error.class ?? 'GenericError'), desc: String(error.desc ?? '') },
    };
  }
  if (typeof value.event === 'string') {
    const timestamp = isObject(value.timestamp)
      ? {
          seconds: Number(value.timestamp.seconds),
          microseconds: Number(value.timestamp.microseconds),
        }
      : { seconds: -1, microseconds: -1 };
    const event: QmpEvent = { event: value.event, timestamp };
    if (isObject(value.data)) event.data = value.data as JsonObject;
    return { kind: 'event', event };
  }
  if (isObject(value.QMP)) return { kind: 'greeting', greeting: value as unknown as QmpGreeting };
  return null;
}

/** Version text as operators know it, e.g. "7.2.22". */
export function formatQemuVersion(version: QemuVersion): string {
  const { major, minor, micro } = version.qemu;
  return `${major}.${minor}.${micro}`;
}

/**
 * Events the proxy adds to the QMP stream of a browser session. They use QMP's event shape so a
 * session stays plain QMP; the `X_BLOCKSCOPE_` prefix cannot clash with QEMU's event names.
 */
export const ProxyEvent = {
  /** data: { state: TargetState, version?: string, reason?: string } */
  TargetState: 'X_BLOCKSCOPE_TARGET_STATE',
  /** data: { jobs: query-jobs result, 'block-jobs': query-block-jobs result } about once a second while jobs exist */
  Jobs: 'X_BLOCKSCOPE_JOBS',
  /**
   * data: { command: string, role?: string, 'job-id'?, device?, id?, node?, 'node-name'?, name?:
   * string } — a session's mutating command succeeded: which, the role of the session that sent
   * it, and those of its arguments that name what it acted on (strings only; no other argument is
   * told). Sent to every session of the target: QEMU announces blockdev-add, block-export-add,
   * qom-set … to no one, so this is how other pages learn that the graph may have changed.
   */
  CommandDone: 'X_BLOCKSCOPE_COMMAND_DONE',
  /**
   * data: { backups: BackupRecord[] } (backup-records.ts) — the proxy's whole record of which
   * full backup each dirty bitmap counts from. Sent right after negotiation and to every session
   * whenever it changes; it starts empty on every new connection to QEMU.
   */
  Backups: 'X_BLOCKSCOPE_BACKUPS',
  /**
   * data: { added?, gone?, removed?, changed?: string[], sources?: true } — the proxy's list of
   * targets changed (a libvirt guest started or stopped, a disk changed, a libvirt connection was
   * lost or came back). Sent to every session of every target; GET /api/targets and
   * GET /api/target-sources have the new lists.
   */
  Targets: 'X_BLOCKSCOPE_TARGETS',
  /**
   * data: { at: ms, 'interval-ms': number, blockstats: BlockStats[] } — the proxy's shared
   * `query-blockstats` read (block-stats.ts), about once a second, only to the sessions that asked
   * for it with `x-blockscope-watch-blockstats {enable: true}`.
   */
  BlockStats: 'X_BLOCKSCOPE_BLOCKSTATS',
  /**
   * data: { state: 'running' | 'stopped' | 'unknown', address?, names: { [export id]: name } } —
   * the proxy's record of the target's NBD server, from every session's nbd-server-start/-stop
   * (QEMU has no query for it). Sent right after negotiation and to every session on change.
   */
  NbdServer: 'X_BLOCKSCOPE_NBD_SERVER',
  /**
   * data: { since: ms, now: ms, dropped: number, entries: HistoryEntry[] } — the proxy's record
   * of the target (proxy/event-history.ts): every event sent to all of its sessions (QEMU's, and
   * the proxy's own except X_BLOCKSCOPE_JOBS and X_BLOCKSCOPE_TARGETS), oldest first, each as { event, data?, timestamp,
   * at: the proxy's arrival time (ms), count, 'last-at'?, 'last-timestamp'? } where `count` > 1
   * stands for that many identical consecutive events. Sent once, right after negotiation and
   * before any live event; then come the session's snapshots of the proxy's records
   * (TARGET_STATE, JOBS, BACKUPS, NBD_SERVER), which are not history. `since` is when the record
   * began (it changes only when the proxy restarts), `now` the proxy's clock when it was sent,
   * `dropped` how many older entries the record's bounds let go.
   */
  History: 'X_BLOCKSCOPE_HISTORY',
  /**
   * data: { id, type?, error: string } — the proxy's job poll found this error on a job in
   * query-jobs (once per job and error). Some failures are told nowhere else: a blockdev-create
   * job's JOB_STATUS_CHANGE has no error, and it sends no BLOCK_JOB_COMPLETED. Sent to every
   * session, so it is in the history after the job is dismissed.
   */
  JobError: 'X_BLOCKSCOPE_JOB_ERROR',
} as const;

/** One entry of ProxyEvent.History. */
export interface HistoryEntry {
  event: string;
  data?: JsonObject;
  timestamp: QmpEvent['timestamp'];
  at: number;
  count: number;
  'last-at'?: number;
  'last-timestamp'?: QmpEvent['timestamp'];
}

/**
 * Commands the proxy answers itself and never sends to QEMU. QEMU names no command with this
 * prefix (its own unstable ones start with `x-`, never `x-blockscope-`).
 */
export const PROXY_COMMAND_PREFIX = 'x-blockscope-';

export const ProxyCommand = {
  /** arguments: { enable: boolean } → { 'interval-ms': number }; see ProxyEvent.BlockStats. */
  WatchBlockStats: 'x-blockscope-watch-blockstats',
} as const;

/**
 * The state of a proxy's connection to one QEMU: `connecting` (no greeting yet), `negotiating`
 * (greeted; qmp_capabilities and the schema read in progress, commands wait), `connected`,
 * `busy` (the monitor accepted the connection but another client holds it), `disconnected`, and
 * `gone`: the target itself went away (its libvirt guest stopped); its sessions are closed.
 */
export type TargetState =
  'connecting' | 'negotiating' | 'connected' | 'busy' | 'disconnected' | 'gone';

/** A command is a read if it cannot change QEMU's state; everything else is treated as mutating. */
export function isReadOnlyCommand(name: string): boolean {
  return (
    name.startsWith('query-') ||
    name.startsWith('x-debug-query-') ||
    name === 'qom-get' ||
    name === 'qom-list' ||
    name === 'qom-list-types' ||
    name === 'qom-list-properties'
  );
}
