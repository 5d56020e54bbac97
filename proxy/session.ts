// One browser (or script) WebSocket speaking plain QMP to one target.
// Every frame is parsed strictly and rebuilt; client bytes never reach QEMU. The session answers
// its own qmp_capabilities, applies the role's policy, bounds its pending commands and its send
// buffer, checks that the peer answers pings, and writes the audit log.
import type { RawData, WebSocket } from 'ws';
import { CloseCode } from '../src/qmp/close-codes.ts';
import { ProxyErrorClass } from '../src/qmp/errors.ts';
import { parseStrictJson, StrictJsonError } from '../src/qmp/strict-json.ts';
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
import type { Multiplexer, SessionSink } from './multiplexer.ts';
import type { Policy, Role, Verdict } from './policy.ts';
import { parseClientCommand } from './client-frame.ts';

export interface SessionLimits {
  maxPending: number;
  /** Above this many unsent bytes the session is dropped (it is not reading). */
  maxBufferedBytes: number;
  /** Above this, job snapshots are skipped for this session (the next one supersedes them). */
  softBufferedBytes: number;
  heartbeatMs: number;
  /** Sessions one target accepts at once. */
  maxSessions: number;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = {
  maxPending: 64,
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
  policy: Policy;
  audit: AuditLog;
  limits: SessionLimits;
}

type Phase = 'greeting' | 'negotiating' | 'running' | 'closed';

const MAX_EARLY_FRAMES = 16;

export class Session implements SessionSink {
  private phase: Phase = 'greeting';
  private pending = 0;
  private alive = true;
  private readonly early: string[] = [];
  /** Set while a command of this session waits for its pre-check; later ones queue behind it. */
  private gate: Promise<void> | null = null;
  private readonly heartbeat: ReturnType<typeof setInterval>;

  constructor(
    private readonly ws: WebSocket,
    private readonly ctx: SessionContext,
  ) {
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
      if (!this.alive) {
        ws.terminate();
        return;
      }
      this.alive = false;
      ws.ping();
    }, ctx.limits.heartbeatMs);
    ctx.mux.attach(this);
  }

  greet(greeting: QmpGreeting): void {
    if (this.phase !== 'greeting') return;
    // The proxy does not relay out-of-band execution, so it offers no capabilities.
    this.send({ QMP: { version: greeting.QMP.version as unknown as JsonValue, capabilities: [] } });
    this.phase = 'negotiating';
    for (const frame of this.early.splice(0)) this.handleFrame(frame);
  }

  event(event: QmpEvent): void {
    if (this.phase !== 'running') return;
    if (
      event.event === ProxyEvent.Jobs &&
      this.ws.bufferedAmount > this.ctx.limits.softBufferedBytes
    ) {
      return;
    }
    this.send(event as unknown as JsonObject);
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (isBinary) {
      this.ws.close(CloseCode.PolicyViolation, 'binary frames are not QMP');
      return;
    }
    const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : data.toString('utf8');
    if (this.phase === 'greeting') {
      if (this.early.length >= MAX_EARLY_FRAMES) {
        this.ws.close(CloseCode.PolicyViolation, 'too many frames before the greeting');
      } else {
        this.early.push(text);
      }
      return;
    }
    this.handleFrame(text);
  }

  private handleFrame(text: string): void {
    const started = Date.now();
    let value: JsonValue;
    try {
      value = parseStrictJson(text);
    } catch (error) {
      const desc = error instanceof StrictJsonError ? error.message : 'not JSON';
      return this.refuse(undefined, null, undefined, started, {
        class: ProxyErrorClass.BadRequest,
        desc: `JSON parse error: ${desc}`,
      });
    }
    const parsed = parseClientCommand(value);
    if ('error' in parsed) {
      return this.refuse(parsed.id, parsed.command ?? null, undefined, started, parsed.error);
    }
    const { command, args, id } = parsed;
    if (command === 'qmp_capabilities') return this.negotiate(args, id);
    if (this.phase !== 'running') {
      return this.reply(id, {
        kind: 'error',
        error: {
          class: 'CommandNotFound',
          desc: "Expecting capabilities negotiation with 'qmp_capabilities'",
        },
      });
    }
    const { schemaCommands, schema } = this.ctx.mux.upstream;
    const verdict = this.ctx.policy.review(
      this.ctx.role,
      command,
      args ?? {},
      schemaCommands,
      schema,
    );
    if (verdict.refusal) return this.refuse(id, command, args, started, verdict.refusal);
    if (this.pending >= this.ctx.limits.maxPending) {
      return this.refuse(id, command, args, started, {
        class: ProxyErrorClass.Overloaded,
        desc: `more than ${this.ctx.limits.maxPending} commands of this session are waiting`,
      });
    }
    this.pending++;
    void this.run(command, args, id, started, verdict.preCheck);
  }

  private async run(
    command: string,
    args: JsonObject | undefined,
    id: { value: JsonValue } | undefined,
    started: number,
    preCheck: Verdict['preCheck'],
  ): Promise<void> {
    // A command is sent in the turn it arrived in, unless it needs a look at QEMU or at image
    // headers first (object-del, format nodes, opens by file name): then it and every later
    // command of this session wait their turn, so the session's order on the wire is kept.
    const ahead = this.gate;
    let release = (): void => {};
    if (ahead || preCheck) {
      const mine = new Promise<void>((resolve) => (release = resolve));
      this.gate = mine;
      const done = release;
      release = () => {
        if (this.gate === mine) this.gate = null;
        done();
      };
      await ahead;
      const late = preCheck
        ? await preCheck((c, a) => this.ctx.mux.execute(c, a)).catch((): QmpErrorBody => ({
            class: ProxyErrorClass.Denied,
            desc: `${command}: the check before sending failed`,
          }))
        : null;
      if (late) {
        this.pending--;
        release();
        return this.refuse(id, command, args, started, late);
      }
    }
    const sent = this.ctx.mux.execute(command, args);
    release();
    await sent.then((result) => {
      this.pending--;
      if (!isReadOnlyCommand(command)) {
        this.audit(
          command,
          args,
          auditOutcome(result),
          started,
          result.kind === 'error' ? result.error : undefined,
        );
      }
      this.reply(id, result);
      if (result.kind === 'return' && !isReadOnlyCommand(command)) {
        this.ctx.policy.observe(command, args ?? {}, this.ctx.mux.upstream.schema);
        this.ctx.mux.commandDone(command);
      }
    });
  }

  private negotiate(args: JsonObject | undefined, id: { value: JsonValue } | undefined): void {
    if (this.phase === 'running') {
      return this.reply(id, {
        kind: 'error',
        error: {
          class: 'CommandNotFound',
          desc: 'Capabilities negotiation is already complete, command ignored',
        },
      });
    }
    const enable = args?.enable;
    if (Array.isArray(enable) && enable.length > 0) {
      return this.reply(id, {
        kind: 'error',
        error: {
          class: 'GenericError',
          desc: 'Blockscope offers no QMP capabilities (out-of-band is not relayed)',
        },
      });
    }
    this.reply(id, { kind: 'return', value: {} });
    this.phase = 'running';
    this.event(this.ctx.mux.stateEvent());
    const jobs = this.ctx.mux.jobsEvent();
    if (jobs) this.event(jobs);
  }

  private refuse(
    id: { value: JsonValue } | undefined,
    command: string | null,
    args: JsonObject | undefined,
    started: number,
    error: QmpErrorBody,
  ): void {
    this.audit(command, args, 'refused', started, error);
    this.reply(id, { kind: 'error', error });
  }

  private reply(id: { value: JsonValue } | undefined, result: CommandResult): void {
    const message: JsonObject =
      result.kind === 'return' ? { return: result.value } : { error: { ...result.error } };
    if (id) message.id = id.value;
    this.send(message);
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

  private closed(): void {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    clearInterval(this.heartbeat);
    this.ctx.mux.detach(this);
  }
}
