// One target's hub: its upstream QMP connection, the browser sessions attached to it, and the
// shared job poller. Sessions never see proxy ids: each awaits its own command's result and puts
// its client's id back (session.ts), so ids from different sessions cannot collide. Events and
// target-state changes go to every session. The backup ledger (backup-ledger.ts) learns from the
// commands QEMU accepted and from events, and every change of it goes to every session too.
import {
  ProxyEvent,
  type JsonObject,
  type JsonValue,
  type QmpEvent,
  type QmpGreeting,
} from '../src/qmp/wire.ts';
import { BackupLedger, LEDGER_COMMANDS } from './backup-ledger.ts';
import { BlockStatsPoller } from './block-stats-poller.ts';
import type { CommandResult } from './command-queue.ts';
import { CreateGuard } from './create-guard.ts';
import { CreateTargets } from './create-targets.ts';
import { EventHistory } from './event-history.ts';
import { JobPoller } from './job-poller.ts';
import { NBD_RECORD_COMMANDS, NbdServerRecord } from './nbd-server-record.ts';
import { SharedReads } from './shared-reads.ts';
import type { StateChange, Upstream } from './upstream.ts';

/** What the multiplexer needs from a session. */
export interface SessionSink {
  /** QEMU's greeting is known (called once per session, possibly right away). */
  greet(greeting: QmpGreeting): void;
  /** An event for the session (QEMU's or the proxy's). */
  event(event: QmpEvent): void;
  /** Its flow control: commands admitted and unanswered, frames held, whether reading is paused. */
  readonly flowState: FlowState;
  /** The target went away (target-set.ts): the session closes, saying why. */
  end?(reason: string): void;
}

export interface FlowState {
  pending: number;
  held: number;
  paused: boolean;
}

export function proxyEvent(name: string, data: JsonObject): QmpEvent {
  const now = Date.now();
  return {
    event: name,
    data,
    timestamp: { seconds: Math.floor(now / 1000), microseconds: (now % 1000) * 1000 },
  };
}

export class Multiplexer {
  private readonly sessions = new Set<SessionSink>();
  private readonly greeted = new WeakSet<SessionSink>();
  readonly poller: JobPoller;
  /** The shared query-blockstats reader: for the sessions that watch, and for /metrics. */
  readonly blockStats: BlockStatsPoller<SessionSink>;
  /** Commands the sessions handed to execute() (some answered by the proxy itself). */
  sessionCommands = 0;
  /** Hear everything the sessions hear, without being one (the fleet overview, fleet.ts). */
  readonly observers = new Set<(event: QmpEvent) => void>();
  private readonly unsubscribe: (() => void)[] = [];
  private readonly createGuard = new CreateGuard();
  readonly ledger = new BackupLedger();
  private readonly createTargets = new CreateTargets();
  /** Identical concurrent reads of all sessions and pollers share one QEMU command. */
  readonly reads = new SharedReads();
  readonly nbdServer = new NbdServerRecord();
  /** What every session heard, for the sessions that come later (event-history.ts). */
  readonly history = new EventHistory();
  /** The error each listed job was announced with (ProxyEvent.JobError). */
  private readonly jobErrors = new Map<string, string>();

  constructor(
    readonly upstream: Upstream,
    jobPollIntervalMs = 1_000,
    blockStatsIntervalMs = 1_000,
  ) {
    this.poller = new JobPoller({
      run: (command) =>
        this.reads.run(command, undefined, () => upstream.execute(command), { recent: false }),
      publish: (data) => {
        this.broadcast(this.jobsEventOf(data));
        this.announceJobErrors(data.jobs);
      },
      intervalMs: jobPollIntervalMs,
    });
    this.blockStats = new BlockStatsPoller({
      run: (command) =>
        this.reads.run(command, undefined, () => upstream.execute(command), { recent: false }),
      publish: (sample, watchers) => {
        const event = proxyEvent(ProxyEvent.BlockStats, sample as unknown as JsonObject);
        for (const session of watchers) session.event(event);
      },
      intervalMs: blockStatsIntervalMs,
      connected: upstream.currentState === 'connected',
    });
    this.unsubscribe.push(
      upstream.onState((change) => this.stateChanged(change)),
      upstream.onEvent((event) => {
        this.reads.event();
        this.createGuard.event(event);
        this.createTargets.event(event);
        this.broadcast(event);
        if (event.event === 'JOB_STATUS_CHANGE') this.poller.kick();
        if (this.ledger.event(event)) this.broadcast(this.backupsEvent());
        if (this.nbdServer.event(event)) this.broadcast(this.nbdServerEvent());
      }),
    );
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  /** Flow control over all sessions: the most pending in one, frames held, sessions paused. */
  flowTotals(): { maxPending: number; held: number; paused: number } {
    const totals = { maxPending: 0, held: 0, paused: 0 };
    for (const { flowState } of this.sessions) {
      totals.maxPending = Math.max(totals.maxPending, flowState.pending);
      totals.held += flowState.held;
      if (flowState.paused) totals.paused++;
    }
    return totals;
  }

  attach(session: SessionSink): void {
    this.sessions.add(session);
    if (this.upstream.greeting) this.greet(session, this.upstream.greeting);
  }

  detach(session: SessionSink): void {
    this.sessions.delete(session);
    this.blockStats.unwatch(session);
  }

  /** The target-state event a session gets right after negotiating, and on every change. */
  stateEvent(change?: StateChange): QmpEvent {
    const data: JsonObject = { state: change?.state ?? this.upstream.currentState };
    const version = change ? change.version : this.upstream.version;
    const reason = change ? change.reason : this.upstream.reason;
    if (version) data.version = version;
    if (reason) data.reason = reason;
    return proxyEvent(ProxyEvent.TargetState, data);
  }

  /** The latest job snapshot while jobs exist, so a new session sees progress at once. */
  jobsEvent(): QmpEvent | null {
    const latest = this.poller.latest;
    return latest ? this.jobsEventOf(latest) : null;
  }

  /**
   * A job's error that only query-jobs tells (a failed blockdev-create: JOB_STATUS_CHANGE has no
   * error member, and there is no BLOCK_JOB_COMPLETED for a job that is not a block job), told
   * once as an event so that it is in the history after the job is dismissed.
   */
  private announceJobErrors(jobs: JsonValue | undefined): void {
    const listed = new Set<string>();
    for (const job of Array.isArray(jobs) ? jobs : []) {
      if (typeof job !== 'object' || job === null || Array.isArray(job)) continue;
      const { id, type, error } = job;
      if (typeof id !== 'string') continue;
      listed.add(id);
      if (typeof error !== 'string' || this.jobErrors.get(id) === error) continue;
      this.jobErrors.set(id, error);
      const data: JsonObject = { id, error };
      if (typeof type === 'string') data.type = type;
      this.broadcast(proxyEvent(ProxyEvent.JobError, data));
    }
    for (const id of this.jobErrors.keys()) if (!listed.has(id)) this.jobErrors.delete(id);
  }

  /** QEMU's two lists, and what the creation jobs among them create (create-targets.ts). */
  private jobsEventOf(data: JsonObject): QmpEvent {
    return proxyEvent(ProxyEvent.Jobs, { ...data, creates: this.createTargets.forJobs(data.jobs) });
  }

  /** `since`: when the asking session began (it is never answered from an older reply). */
  execute(command: string, args?: JsonObject, since?: number): Promise<CommandResult> {
    this.sessionCommands++;
    // The schema was read at connect time; answering from it spares the serial monitor ~200 KB.
    if (command === 'query-qmp-schema' && this.upstream.currentState === 'connected') {
      const schema = this.upstream.schema;
      if (schema) return Promise.resolve({ kind: 'return', value: schema });
    }
    this.createTargets.sent(command, args);
    const hold = this.createGuard.before(command, args);
    if (hold) {
      this.reads.barrier();
      return hold.then(() => this.upstream.execute(command, args));
    }
    const sent = this.reads.run(command, args, () => this.upstream.execute(command, args), {
      ...(since !== undefined ? { newerThan: since } : {}),
    });
    if (command === 'blockdev-create') {
      void sent.then((result) => {
        if (result.kind !== 'error') return;
        this.createGuard.refused(command, args);
        this.createTargets.refused(command, args);
      });
    }
    if (LEDGER_COMMANDS.has(command)) {
      // Registered before the session's own callback: the ledger is current when it answers.
      void sent.then((result) => {
        if (result.kind !== 'return') return;
        if (this.ledger.commandSucceeded(command, args ?? {})) this.broadcast(this.backupsEvent());
        this.askForLedger();
      });
    }
    if (NBD_RECORD_COMMANDS.has(command)) {
      void sent.then((result) => {
        if (this.nbdServer.commandAnswered(command, args ?? {}, result)) {
          this.broadcast(this.nbdServerEvent());
        }
      });
    }
    return sent;
  }

  /** The proxy's record of the NBD server, for a session that just negotiated and on change. */
  nbdServerEvent(): QmpEvent {
    return proxyEvent(ProxyEvent.NbdServer, this.nbdServer.data() as unknown as JsonObject);
  }

  /** The whole backup ledger, for a session that just negotiated and after every change. */
  backupsEvent(): QmpEvent {
    return proxyEvent(ProxyEvent.Backups, this.ledger.data() as unknown as JsonObject);
  }

  /**
   * Tells every session that a mutating command succeeded (see ProxyEvent.CommandDone): which,
   * for which role, and on what (the identifying arguments only, never the rest).
   */
  commandDone(command: string, role?: string, args?: JsonObject): void {
    this.broadcast(proxyEvent(ProxyEvent.CommandDone, commandDoneData(command, role, args)));
  }

  /** The target's history so far, for a session that just negotiated (ProxyEvent.History). */
  historyEvent(): QmpEvent {
    return proxyEvent(ProxyEvent.History, this.history.data());
  }

  /** An event of the proxy's for every session of this target (the list of targets changed). */
  announce(event: QmpEvent): void {
    this.broadcast(event);
  }

  /** The target is gone: every session hears so and is closed; the hub stops. */
  retire(reason: string): void {
    this.broadcast(proxyEvent(ProxyEvent.TargetState, { state: 'gone', reason }));
    const sessions = [...this.sessions];
    this.close();
    for (const session of sessions) session.end?.(reason);
  }

  close(): void {
    for (const off of this.unsubscribe) off();
    this.poller.stop();
    this.blockStats.stop();
    this.sessions.clear();
  }

  private greet(session: SessionSink, greeting: QmpGreeting): void {
    if (this.greeted.has(session)) return;
    this.greeted.add(session);
    session.greet(greeting);
  }

  private stateChanged(change: StateChange): void {
    if (change.state === 'connected') {
      for (const session of this.sessions) this.greet(session, this.upstream.greeting!);
      this.poller.kick();
      this.blockStats.kick();
      this.readNbdExports();
    } else {
      this.poller.stop();
      this.blockStats.stop();
      this.createGuard.reset();
      this.createTargets.reset();
    }
    this.reads.barrier();
    this.broadcast(this.stateEvent(change));
    if (change.state !== 'connected' && this.ledger.reset()) this.broadcast(this.backupsEvent());
    if (change.state !== 'connected' && this.nbdServer.reset()) {
      this.broadcast(this.nbdServerEvent());
    }
  }

  /** On connect: an NBD export already there means its server runs (nbd-server-record.ts). */
  private readNbdExports(): void {
    // Not every monitor has it (QEMU before 5.2; a stand-in in tests).
    if (!this.upstream.schemaCommands?.has('query-block-exports')) return;
    const read = () => this.upstream.execute('query-block-exports');
    void this.reads.run('query-block-exports', undefined, read).then((result) => {
      if (result.kind === 'return' && this.nbdServer.learnExports(result.value)) {
        this.broadcast(this.nbdServerEvent());
      }
    });
  }

  /**
   * What the ledger cannot know from the commands, asked of QEMU once: the file of a target opened
   * elsewhere (the command line, another monitor), and the id of a job started without job-id.
   * Through execute(), so the reads wait like any image-detail read must.
   */
  private askForLedger(): void {
    const generation = this.ledger.generation;
    const ask = (command: string, args: JsonObject | undefined, learn: (v: JsonValue) => boolean) =>
      void this.execute(command, args).then((result) => {
        if (result.kind !== 'return' || generation !== this.ledger.generation) return;
        if (learn(result.value)) this.broadcast(this.backupsEvent());
      });
    if (this.ledger.nodesToLookUp().length > 0) {
      ask('query-named-block-nodes', { flat: true }, (v) => this.ledger.learnNodes(v));
    }
    if (this.ledger.jobsToResolve()) {
      ask('query-block', undefined, (v) => this.ledger.resolveJobs(v));
    }
  }

  private broadcast(event: QmpEvent): void {
    if (!NOT_HISTORY.has(event.event)) this.history.record(event);
    for (const session of this.sessions) session.event(event);
    for (const observer of this.observers) observer(event);
  }
}

/**
 * Not in the target's history: the job poll is a snapshot of now, not something that happened,
 * and the list of targets is the proxy's, not this target's (on a busy libvirt host its changes
 * would push the target's own history out).
 */
const NOT_HISTORY = new Set<string>([ProxyEvent.Jobs, ProxyEvent.Targets]);

/**
 * Arguments that name what a command acted on (a job, a device, a node, an export, a bitmap,
 * an object): strings only, each cut at 256 characters. Nothing else of the arguments is told.
 */
const IDENTIFYING_ARGUMENTS = ['job-id', 'device', 'id', 'node', 'node-name', 'name'] as const;

export function commandDoneData(command: string, role?: string, args?: JsonObject): JsonObject {
  const data: JsonObject = { command };
  if (role) data.role = role;
  for (const key of IDENTIFYING_ARGUMENTS) {
    const value = args?.[key];
    if (typeof value === 'string') data[key] = value.slice(0, 256);
  }
  return data;
}
