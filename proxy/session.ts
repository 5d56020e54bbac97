// One client speaking plain QMP to one target: a browser or script over a WebSocket, or a tool on
// an exposed unix socket (session-transport.ts). Every frame is parsed strictly and rebuilt; client
// bytes never reach QEMU. The session answers its own qmp_capabilities (capabilities.ts), applies
// the role's policy, stops reading its connection while it has its share of commands pending
// (session-flow.ts), bounds its send buffer, and writes the audit log.
import { ProxyErrorClass } from '../src/qmp/errors.ts';
import {
  isReadOnlyCommand,
  ProxyEvent,
  type JsonObject,
  type JsonValue,
  type QmpErrorBody,
  type QmpEvent,
  type QmpGreeting,
} from '../src/qmp/wire.ts';
import { auditOutcome, type AuditLog, type AuditOutcome } from './audit-log.ts';
import {
  ALREADY_NEGOTIATED,
  negotiationError,
  NOT_NEGOTIATED,
  sessionGreeting,
} from './capabilities.ts';
import type { CommandResult } from './command-queue.ts';
import type { FlowState, Multiplexer, SessionSink } from './multiplexer.ts';
import type { Policy, Role } from './policy.ts';
import { readClientFrame } from './client-frame.ts';
import type { TargetOrigin } from './target-set.ts';
import { isProxyCommand, runProxyCommand } from './proxy-commands.ts';
import { plainEventAction } from './plain-qmp.ts';
import { SessionFlow } from './session-flow.ts';
import type { SessionTransport } from './session-transport.ts';

export interface SessionLimits {
  /**
   * Commands of one session admitted and not yet answered; with that many, the session's
   * connection is not read until a reply is sent. The target's queue has room for this share from
   * each of `maxSessions` sessions (server.ts), so it never refuses a session's command.
   */
  maxPending: number;
  /** Frames ws delivers after the session paused (the rest of one TCP read), in bytes. */
  maxHeldBytes: number;
  /**
   * Room for events in a session's send buffer beyond what its own replies may take (the soft
   * limit and `maxPending` of its largest reply yet): past that the session is dropped.
   */
  maxBufferedBytes: number;
  /**
   * Above this many unsent bytes no new command of the session is admitted until they drain
   * (back-pressure on a peer that reads slowly), and job and I/O snapshots are skipped for it
   * (the next one supersedes them).
   */
  softBufferedBytes: number;
  heartbeatMs: number;
  /**
   * How long a send buffer over the soft limit may go without the peer taking a byte of it
   * before the session is dropped: it stopped reading (a busy browser tab still reads its
   * sockets; its network stack does, whatever the page's script is doing).
   */
  stallMs: number;
  /** Sessions one target accepts at once. */
  maxSessions: number;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = {
  // As many as the proxy keeps in flight to QEMU: enough to keep QEMU busy from one session.
  maxPending: 8,
  maxHeldBytes: 1024 * 1024,
  maxBufferedBytes: 8 * 1024 * 1024,
  softBufferedBytes: 1024 * 1024,
  heartbeatMs: 15_000,
  stallMs: 5_000,
  maxSessions: 256,
};

export interface SessionContext {
  target: string;
  role: Role;
  /** Who it is for the audit log: a WebSocket's address and port, an exposed socket's path. */
  peer: string;
  mux: Multiplexer;
  /** Set for a target the proxy discovered (a libvirt guest): the policy treats it differently. */
  origin?: TargetOrigin;
  policy: Policy;
  audit: AuditLog;
  limits: SessionLimits;
}

type Phase = 'greeting' | 'negotiating' | 'running' | 'closed';
type Answer = (reply: JsonObject) => void;
type Id = { value: JsonValue } | undefined;

export class Session implements SessionSink {
  private phase: Phase = 'greeting';
  /** Commands of this session in the target's queue (sent or waiting), pre-checks included. */
  private queued = 0;
  private readonly flow: SessionFlow;

  /** When the session began: its reads are never answered from an older reply (shared-reads.ts). */
  private readonly openedAt = Date.now();

  /** The largest reply sent to this session so far: its pending replies may take that much each. */
  private largestReply = 0;
  /** Runs while the send buffer is over the soft limit: is the peer taking anything of it? */
  private stallTimer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly transport: SessionTransport,
    private readonly ctx: SessionContext,
  ) {
    this.flow = new SessionFlow(transport, ctx.limits, {
      admit: (text, answer) => this.handleFrame(text, answer),
      send: (reply) => this.send(reply),
      backedUp: () => transport.bufferedAmount > ctx.limits.softBufferedBytes,
      overflow: () => transport.close({ kind: 'flood' }),
    });
    transport.bind({
      frame: (text) => this.flow.receive(text),
      refused: (desc) =>
        this.audit(null, undefined, 'refused', Date.now(), {
          class: ProxyErrorClass.BadRequest,
          desc,
        }),
      closed: () => this.closed(),
      paused: () => this.flow.paused,
      idle: () => this.flow.pending === 0 && this.flow.heldFrames === 0,
      drained: () => {
        this.stopStallWatch();
        this.flow.drained();
      },
    });
    ctx.mux.attach(this);
  }

  /** Frames admitted and not yet answered, frames held while paused, and whether it is paused. */
  get flowState(): FlowState {
    return { pending: this.flow.pending, held: this.flow.heldFrames, paused: this.flow.paused };
  }

  greet(greeting: QmpGreeting): void {
    if (this.phase !== 'greeting') return;
    this.send(sessionGreeting(greeting));
    this.phase = 'negotiating';
    // Frames sent before the greeting waited (reading paused); they are handled now, in order.
    this.flow.start();
  }

  event(event: QmpEvent): void {
    if (this.phase !== 'running') return;
    if (this.transport.plain) {
      const action = plainEventAction(event);
      if (action === 'close') this.end('the connection to QEMU was lost');
      if (action !== 'send') return;
    }
    if (
      (event.event === ProxyEvent.Jobs || event.event === ProxyEvent.BlockStats) &&
      this.transport.bufferedAmount > this.ctx.limits.softBufferedBytes
    ) {
      return;
    }
    this.write((transport) => transport.sendEvent(event));
  }

  end(reason: string): void {
    if (this.phase === 'closed') return;
    this.transport.close({ kind: 'gone', reason });
  }

  /** One frame, answered exactly once through `answer`; a promise while QEMU is asked first. */
  private handleFrame(text: string, answer: Answer): Promise<void> | void {
    const started = Date.now();
    const parsed = readClientFrame(text);
    if ('error' in parsed) {
      return this.refuse(
        answer,
        parsed.id,
        parsed.command ?? null,
        undefined,
        started,
        parsed.error,
      );
    }
    const { command, args, id } = parsed;
    if (command === 'qmp_capabilities') return this.negotiate(answer, args, id);
    if (this.phase !== 'running') {
      return answer(reply(id, { kind: 'error', error: NOT_NEGOTIATED }));
    }
    // On a plain socket the proxy's own commands do not exist, as on QEMU's (the policy says so).
    if (isProxyCommand(command) && !this.transport.plain) {
      return answer(reply(id, runProxyCommand(this.ctx.mux, this, command, args)));
    }
    const { schemaCommands, schema } = this.ctx.mux.upstream;
    const verdict = this.ctx.policy.review(
      this.ctx.role,
      command,
      args ?? {},
      schemaCommands,
      schema,
      this.ctx.origin,
    );
    if (verdict.refusal) return this.refuse(answer, id, command, args, started, verdict.refusal);
    // A command is sent in this same turn unless it needs a look at QEMU first (object-del, a
    // format node whose image the proxy has not seen): the flow then holds the frames after it
    // until it is sent, so a session's commands reach QEMU in the order they arrived in.
    const { preCheck } = verdict;
    if (preCheck) {
      return preCheck((c, a) => this.execute(c, a))
        .catch((): QmpErrorBody => ({
          class: ProxyErrorClass.Denied,
          desc: `${command}: the check before sending failed`,
        }))
        .then((late) => {
          if (late) this.refuse(answer, id, command, args, started, late);
          else this.run(answer, command, args, id, started);
        });
    }
    this.run(answer, command, args, id, started);
  }

  private run(
    answer: Answer,
    command: string,
    args: JsonObject | undefined,
    id: Id,
    started: number,
  ): void {
    void this.execute(command, args).then((result) => {
      if (!isReadOnlyCommand(command)) {
        this.audit(
          command,
          args,
          auditOutcome(result),
          started,
          result.kind === 'error' ? result.error : undefined,
        );
      }
      answer(reply(id, result));
      if (result.kind === 'return' && !isReadOnlyCommand(command)) {
        this.ctx.policy.observe(command, args ?? {}, this.ctx.mux.upstream.schema);
        this.ctx.mux.commandDone(command, this.ctx.role, args);
      }
    });
  }

  private negotiate(answer: Answer, args: JsonObject | undefined, id: Id): void {
    if (this.phase === 'running') {
      return answer(reply(id, { kind: 'error', error: ALREADY_NEGOTIATED }));
    }
    const refused = negotiationError(args);
    if (refused) return answer(reply(id, { kind: 'error', error: refused }));
    // Nothing reaches QEMU before this, so every earlier frame is answered and this reply leaves
    // at once, before the events below.
    answer(reply(id, { kind: 'return', value: {} }));
    this.phase = 'running';
    // The history first, in this same turn: every live event after it is new to the session.
    this.event(this.ctx.mux.historyEvent());
    this.event(this.ctx.mux.stateEvent());
    const jobs = this.ctx.mux.jobsEvent();
    if (jobs) this.event(jobs);
    this.event(this.ctx.mux.backupsEvent());
    this.event(this.ctx.mux.nbdServerEvent());
  }

  private refuse(
    answer: Answer,
    id: Id,
    command: string | null,
    args: JsonObject | undefined,
    started: number,
    error: QmpErrorBody,
  ): void {
    this.audit(command, args, 'refused', started, error);
    answer(reply(id, { kind: 'error', error }));
  }

  private send(message: JsonObject): void {
    this.write((transport) => {
      this.largestReply = Math.max(this.largestReply, transport.send(message));
    });
  }

  /**
   * Writes to the peer, unless it stopped reading: then it is cut off. The session's own replies
   * are bounded by admission (none is admitted while the buffer is over the soft limit), so the
   * limit leaves them their room and counts `maxBufferedBytes` on top, for events.
   */
  private write(put: (transport: SessionTransport) => void): void {
    if (this.phase === 'closed' || !this.transport.open) return;
    const { softBufferedBytes, maxBufferedBytes, maxPending } = this.ctx.limits;
    const limit = softBufferedBytes + maxPending * this.largestReply + maxBufferedBytes;
    if (this.transport.bufferedAmount > limit) return this.cutOff();
    put(this.transport);
    if (this.transport.bufferedAmount > softBufferedBytes) this.watchForStall();
  }

  /** A close would queue behind the unread data: a peer that does not read is cut off. */
  private cutOff(): void {
    this.transport.terminate();
    this.closed();
  }

  /**
   * While the send buffer is over the soft limit, the peer must take some of it every
   * `stallMs` (the connection's delivered bytes grow); one that takes nothing is cut off.
   */
  private watchForStall(): void {
    if (this.stallTimer) return;
    let delivered = this.transport.deliveredBytes;
    this.stallTimer = setInterval(() => {
      const now = this.transport.deliveredBytes;
      if (this.transport.bufferedAmount <= this.ctx.limits.softBufferedBytes) {
        this.stopStallWatch();
        this.flow.drained();
      } else if (now === delivered) {
        this.stopStallWatch();
        this.cutOff();
      }
      delivered = now;
    }, this.ctx.limits.stallMs);
  }

  private stopStallWatch(): void {
    if (this.stallTimer) clearInterval(this.stallTimer);
    this.stallTimer = null;
  }

  private audit(
    command: string | null,
    args: JsonObject | undefined,
    outcome: AuditOutcome,
    started: number,
    error?: QmpErrorBody,
  ): void {
    this.ctx.audit.write({
      role: this.ctx.role,
      peer: this.ctx.peer,
      target: this.ctx.target,
      command,
      ...(args ? { arguments: args } : {}),
      outcome,
      ...(error ? { error: { class: error.class, desc: error.desc } } : {}),
      durationMs: Date.now() - started,
    });
  }

  /**
   * A command for the target's queue. A session that closes with commands still queued stays
   * attached (and counted against the target's sessions) until they are answered or time out, so
   * the queue never holds more than one share per session it accepts.
   */
  private execute(command: string, args: JsonObject | undefined): Promise<CommandResult> {
    this.queued++;
    return this.ctx.mux.execute(command, args, this.openedAt).then((result) => {
      if (--this.queued === 0 && this.phase === 'closed') this.ctx.mux.detach(this);
      return result;
    });
  }

  private closed(): void {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    this.stopStallWatch();
    this.flow.stop();
    if (this.queued === 0) this.ctx.mux.detach(this);
  }
}

/** The QMP reply for a result, carrying the client's own id back (none if it sent none). */
function reply(id: Id, result: CommandResult): JsonObject {
  const message: JsonObject =
    result.kind === 'return' ? { return: result.value } : { error: { ...result.error } };
  if (id) message.id = id.value;
  return message;
}
