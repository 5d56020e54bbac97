// One browser (or script) WebSocket speaking plain QMP to one target.
// Every frame is parsed strictly and rebuilt; client bytes never reach QEMU. The session answers
// its own qmp_capabilities, applies the role's policy, stops reading its WebSocket while it has
// its share of commands pending (session-flow.ts), bounds its send buffer, checks that the peer
// answers pings, and writes the audit log.
import type { RawData, WebSocket } from 'ws';
import { CloseCode } from '../src/qmp/close-codes.ts';
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
import type { CommandResult } from './command-queue.ts';
import type { FlowState, Multiplexer, SessionSink } from './multiplexer.ts';
import type { Policy, Role } from './policy.ts';
import { readClientFrame } from './client-frame.ts';
import type { TargetOrigin } from './target-set.ts';
import { closeReason } from './ws-endpoint.ts';
import { isProxyCommand, runProxyCommand } from './proxy-commands.ts';
import { SessionFlow } from './session-flow.ts';

export interface SessionLimits {
  /**
   * Commands of one session admitted and not yet answered; with that many, the session's
   * WebSocket is not read until a reply is sent. The target's queue has room for this share from
   * each of `maxSessions` sessions (server.ts), so it never refuses a session's command.
   */
  maxPending: number;
  /** Frames ws delivers after the session paused (the rest of one TCP read), in bytes. */
  maxHeldBytes: number;
  /** Above this many unsent bytes the session is dropped (it is not reading). */
  maxBufferedBytes: number;
  /** Above this, job and I/O snapshots are skipped for this session (the next one supersedes them). */
  softBufferedBytes: number;
  heartbeatMs: number;
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
  maxSessions: 256,
};

export interface SessionContext {
  target: string;
  role: Role;
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
  private alive = true;
  /** Commands of this session in the target's queue (sent or waiting), pre-checks included. */
  private queued = 0;
  private readonly flow: SessionFlow;
  private readonly heartbeat: ReturnType<typeof setInterval>;

  constructor(
    private readonly ws: WebSocket,
    private readonly ctx: SessionContext,
  ) {
    this.flow = new SessionFlow(ws, ctx.limits, {
      admit: (text, answer) => this.handleFrame(text, answer),
      send: (reply) => this.send(reply),
      overflow: () => {
        // Reading again lets the close handshake through; the flow ignores frames from now on.
        this.ws.resume();
        this.ws.close(CloseCode.PolicyViolation, 'too much data while paused');
      },
    });
    ws.on('message', (data: RawData, isBinary: boolean) => this.onMessage(data, isBinary));
    ws.on('pong', () => (this.alive = true));
    ws.on('close', () => this.closed());
    ws.on('error', (error: Error & { code?: string }) => {
      if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
        this.audit(null, undefined, 'refused', Date.now(), {
          class: ProxyErrorClass.BadRequest,
          desc: 'frame larger than the 64 KiB limit; the session was closed',
        });
      }
    });
    this.heartbeat = setInterval(() => {
      if (ws.readyState !== ws.OPEN) return;
      // A paused session cannot hear its peer's pong; the pause is the proxy's, so it does not
      // count against the peer. It ends when replies drain (every command has a timeout) or,
      // for frames sent before the greeting, when QEMU is connected.
      if (this.flow.paused) {
        this.alive = true;
        return;
      }
      if (!this.alive) {
        ws.terminate();
        return;
      }
      this.alive = false;
      ws.ping();
    }, ctx.limits.heartbeatMs);
    ctx.mux.attach(this);
  }

  /** Frames admitted and not yet answered, frames held while paused, and whether it is paused. */
  get flowState(): FlowState {
    return { pending: this.flow.pending, held: this.flow.heldFrames, paused: this.flow.paused };
  }

  greet(greeting: QmpGreeting): void {
    if (this.phase !== 'greeting') return;
    // The proxy does not relay out-of-band execution, so it offers no capabilities.
    this.send({ QMP: { version: greeting.QMP.version as unknown as JsonValue, capabilities: [] } });
    this.phase = 'negotiating';
    // Frames sent before the greeting waited (reading paused); they are handled now, in order.
    this.flow.start();
  }

  event(event: QmpEvent): void {
    if (this.phase !== 'running') return;
    if (
      (event.event === ProxyEvent.Jobs || event.event === ProxyEvent.BlockStats) &&
      this.ws.bufferedAmount > this.ctx.limits.softBufferedBytes
    ) {
      return;
    }
    this.send(event as unknown as JsonObject);
  }

  end(reason: string): void {
    if (this.phase === 'closed') return;
    this.ws.close(CloseCode.TargetGone, closeReason(reason));
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (isBinary) {
      this.ws.close(CloseCode.PolicyViolation, 'binary frames are not QMP');
      return;
    }
    this.flow.receive(
      Array.isArray(data) ? Buffer.concat(data).toString('utf8') : data.toString('utf8'),
    );
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
      return answer(
        reply(id, {
          kind: 'error',
          error: {
            class: 'CommandNotFound',
            desc: "Expecting capabilities negotiation with 'qmp_capabilities'",
          },
        }),
      );
    }
    if (isProxyCommand(command)) {
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
        this.ctx.mux.commandDone(command);
      }
    });
  }

  private negotiate(answer: Answer, args: JsonObject | undefined, id: Id): void {
    if (this.phase === 'running') {
      return answer(
        reply(id, {
          kind: 'error',
          error: {
            class: 'CommandNotFound',
            desc: 'Capabilities negotiation is already complete, command ignored',
          },
        }),
      );
    }
    const enable = args?.enable;
    if (Array.isArray(enable) && enable.length > 0) {
      return answer(
        reply(id, {
          kind: 'error',
          error: {
            class: 'GenericError',
            desc: 'Blockscope offers no QMP capabilities (out-of-band is not relayed)',
          },
        }),
      );
    }
    // Nothing reaches QEMU before this, so every earlier frame is answered and this reply leaves
    // at once, before the events below.
    answer(reply(id, { kind: 'return', value: {} }));
    this.phase = 'running';
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
    if (this.phase === 'closed' || this.ws.readyState !== this.ws.OPEN) return;
    if (this.ws.bufferedAmount > this.ctx.limits.maxBufferedBytes) {
      // A close frame would queue behind the unread data; a peer that does not read is cut off.
      this.ws.terminate();
      this.closed();
      return;
    }
    this.ws.send(JSON.stringify(message));
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
    return this.ctx.mux.execute(command, args).then((result) => {
      if (--this.queued === 0 && this.phase === 'closed') this.ctx.mux.detach(this);
      return result;
    });
  }

  private closed(): void {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    clearInterval(this.heartbeat);
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
