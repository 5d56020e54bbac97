// One QMP connection to one QEMU, owned by the proxy. States:
//   connecting → (greeting) → negotiating → connected
//   connecting → (no greeting within greetingTimeoutMs) → busy → (greeting) → negotiating …
//   any → (EOF, error, a line that is not QMP) → disconnected → (jittered backoff) → connecting …
// Nothing is written before the greeting; qmp_capabilities is sent once per connection, then the
// schema is read and cached. A monitor socket serves one client at a time, so a connect that
// succeeds without a greeting means someone else holds the monitor (reported as `busy`).
import { connect, type Socket } from 'node:net';
import { ProxyErrorClass } from '../src/qmp/errors.ts';
import {
  classifyMessage,
  formatQemuVersion,
  isReadOnlyCommand,
  type JsonObject,
  type JsonValue,
  type QmpEvent,
  type QemuVersion,
  type QmpGreeting,
  type QmpMessage,
  type TargetState,
} from '../src/qmp/wire.ts';
import { CommandQueue, type CommandResult } from './command-queue.ts';
import { SLOW_COMMANDS } from './command-lists.ts';
import type { SocketAddress } from './config.ts';
import { classifyLineHead } from './line-head.ts';
import { LineFramer } from './line-framer.ts';
import { identifyTarget, type TargetKind } from './target-identity.ts';

export interface UpstreamTuning {
  greetingTimeoutMs: number;
  maxReplyBytes: number;
  maxInFlight: number;
  maxQueued: number;
  /** Timeouts by command class: reads, other block commands, job starts and graph changes. */
  readTimeoutMs: number;
  writeTimeoutMs: number;
  slowTimeoutMs: number;
  minBackoffMs: number;
  maxBackoffMs: number;
}

export const DEFAULT_UPSTREAM_TUNING: UpstreamTuning = {
  greetingTimeoutMs: 3_000,
  maxReplyBytes: 10 * 1024 * 1024,
  maxInFlight: 8,
  maxQueued: 2048,
  readTimeoutMs: 30_000,
  writeTimeoutMs: 60_000,
  slowTimeoutMs: 300_000,
  minBackoffMs: 100,
  maxBackoffMs: 5_000,
};

/**
 * How one target's monitor differs from QEMU's own. libvirt's passthrough (virt-qemu-qmp-proxy)
 * parses everything it has read as one command, so two commands in one read are never answered:
 * it gets one command at a time. It forwards an event's `data` as JSON text, and its greeting
 * names the version of the connection's default QEMU, not the guest's.
 */
export interface MonitorTraits {
  /** Commands written before the oldest is answered; without it the tuning's (QEMU's own: 8). */
  maxInFlight?: number;
  /** Event `data` arrives as a JSON string, parsed here into the object QEMU sent. */
  eventDataAsText?: boolean;
  /** The greeting's version may not be this QEMU's: ask query-version while negotiating. */
  versionFromQuery?: boolean;
}

export interface StateChange {
  state: TargetState;
  version?: string;
  reason?: string;
}

export class Upstream {
  private state: TargetState = 'connecting';
  private socket: Socket | null = null;
  private queue: CommandQueue | null = null;
  private generation = 0;
  private backoffMs: number;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  /** Why the way to QEMU is down (an SSH forward that is not up): no connects until resume(). */
  private held: string | null = null;
  greeting: QmpGreeting | null = null;
  schema: JsonValue | null = null;
  schemaCommands: ReadonlySet<string> | null = null;
  kind: TargetKind | undefined;
  reason: string | undefined;
  /** Replies with an id that matched nothing, over all connections. */
  unknownIdReplies = 0;
  /** Events over the reply cap, dropped unread. */
  oversizedEvents = 0;
  connections = 0;
  private readonly stateListeners = new Set<(change: StateChange) => void>();
  private readonly eventListeners = new Set<(event: QmpEvent) => void>();

  constructor(
    readonly name: string,
    private readonly address: SocketAddress,
    private readonly tuning: UpstreamTuning = DEFAULT_UPSTREAM_TUNING,
    private readonly traits: MonitorTraits = {},
  ) {
    this.backoffMs = tuning.minBackoffMs;
  }

  /** Commands written to QEMU's monitor by name, over all connections, negotiation included. */
  readonly commandsSent = new Map<string, number>();

  /** How many commands were written to QEMU in all, whoever asked. */
  get commandsWritten(): number {
    let sum = 0;
    for (const count of this.commandsSent.values()) sum += count;
    return sum;
  }

  get currentState(): TargetState {
    return this.state;
  }

  /** Commands waiting for or awaiting a reply on the current connection. */
  get pendingCount(): number {
    return this.queue?.pendingCount ?? 0;
  }

  get version(): string | undefined {
    return this.greeting ? formatQemuVersion(this.greeting.QMP.version) : undefined;
  }

  /** stop() was called: the connection is being closed on purpose, not lost. */
  get stopping(): boolean {
    return this.stopped;
  }

  onState(listener: (change: StateChange) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  onEvent(listener: (event: QmpEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  start(): void {
    this.stopped = false;
    this.open();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.drop('the proxy is shutting down');
  }

  /**
   * The way to QEMU is down for a reason the proxy knows better than a failed connect would say
   * (ssh-tunnel.ts: the host key is unknown, the link dropped): disconnected with that reason, and
   * no attempts until resume().
   */
  hold(reason: string): void {
    this.held = reason;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.socket) this.drop(reason);
    else this.setState('disconnected', reason);
  }

  /** The way is back: connect now (the backoff starts over). */
  resume(): void {
    if (this.held === null) return;
    this.held = null;
    this.backoffMs = this.tuning.minBackoffMs;
    if (!this.stopped && !this.socket && !this.timer) this.open();
  }

  /** Runs a command on behalf of a session. Never rejects: failures are QMP-shaped errors. */
  execute(command: string, args?: JsonObject): Promise<CommandResult> {
    if (this.state === 'negotiating') {
      // Greeted and negotiating: a moment away from connected, so wait rather than refuse.
      return new Promise((resolve) => {
        const off = this.onState(() => {
          off();
          resolve(this.execute(command, args));
        });
      });
    }
    if (this.state !== 'connected' || !this.queue) {
      const why =
        this.state === 'busy'
          ? 'another client holds the QMP monitor of this QEMU'
          : `not connected to QEMU (${this.state})`;
      return Promise.resolve({
        kind: 'error',
        error: { class: ProxyErrorClass.Disconnected, desc: why },
      });
    }
    return this.queue.submit(command, args, this.timeoutFor(command));
  }

  private timeoutFor(command: string): number {
    if (SLOW_COMMANDS.has(command)) return this.tuning.slowTimeoutMs;
    return isReadOnlyCommand(command) ? this.tuning.readTimeoutMs : this.tuning.writeTimeoutMs;
  }

  private setState(state: TargetState, reason?: string): void {
    if (this.state === state && this.reason === reason) return;
    this.state = state;
    this.reason = reason;
    const change: StateChange = { state };
    if (this.version) change.version = this.version;
    if (reason) change.reason = reason;
    for (const listener of this.stateListeners) listener(change);
  }

  private open(): void {
    if (this.stopped) return;
    if (this.held !== null) return this.setState('disconnected', this.held);
    // While retrying, stay `disconnected` until a connect succeeds: sessions hear one change per
    // outage, not two per attempt.
    if (this.state !== 'disconnected') this.setState('connecting');
    const generation = ++this.generation;
    const socket =
      this.address.type === 'unix'
        ? connect(this.address.path)
        : connect({
            host: this.address.host,
            port: this.address.port,
            noDelay: true,
            // a QEMU on another host that vanishes without a FIN is noticed, not waited on forever
            keepAlive: true,
            keepAliveInitialDelay: 10_000,
          });
    this.socket = socket;
    socket.once('connect', () => this.setState('connecting'));
    const framer = new LineFramer(this.tuning.maxReplyBytes);
    let corked = false;
    const queue = new CommandQueue(`blockscope:${generation}`, {
      maxInFlight: this.traits.maxInFlight ?? this.tuning.maxInFlight,
      maxQueued: this.tuning.maxQueued,
      write: (frame, command) => {
        // Bounded: names QEMU does not know (a script's typos) share one entry past 512.
        const name =
          this.commandsSent.has(command) || this.commandsSent.size < 512 ? command : '(other)';
        this.commandsSent.set(name, (this.commandsSent.get(name) ?? 0) + 1);
        // Commands written in one turn of the event loop leave in one write (cork … uncork on
        // the next tick, as the Node docs suggest), not one syscall each.
        if (!corked) {
          corked = true;
          socket.cork();
          process.nextTick(() => {
            corked = false;
            socket.uncork();
          });
        }
        return socket.write(frame + '\n');
      },
    });
    let greeted = false;
    let greetingTimer: ReturnType<typeof setTimeout> | null = setTimeout(() => {
      greetingTimer = null;
      if (this.socket !== socket || greeted) return;
      if (socket.connecting) this.drop('connect timed out');
      else this.setState('busy', 'connected, but no greeting: another client holds the monitor');
    }, this.tuning.greetingTimeoutMs);
    socket.on('data', (chunk: Buffer) => {
      if (this.socket !== socket) return;
      for (const item of framer.push(chunk)) {
        if (item.kind === 'oversized') {
          this.oversizedLine(item.bytes, item.head, queue);
          continue;
        }
        if (!greeted) {
          const message = this.classify(item.text);
          if (message?.kind !== 'greeting')
            return this.drop('QEMU did not start with a QMP greeting');
          greeted = true;
          if (greetingTimer) clearTimeout(greetingTimer);
          // Sessions are greeted with QEMU's own version: when the greeting may not carry it,
          // they wait until query-version has answered (negotiate).
          this.greeting = this.traits.versionFromQuery ? null : message.greeting;
          this.queue = queue;
          void this.negotiate(generation, queue, message.greeting);
          continue;
        }
        this.handleLine(item.text, queue);
        if (this.socket !== socket) return;
      }
    });
    const closed = (reason: string) => {
      if (greetingTimer) clearTimeout(greetingTimer);
      if (this.socket === socket) this.drop(reason);
    };
    socket.on('error', (error: NodeJS.ErrnoException) => closed(error.code ?? error.message));
    socket.on('close', () => closed('QEMU closed the connection'));
  }

  private async negotiate(
    generation: number,
    queue: CommandQueue,
    greeting: QmpGreeting,
  ): Promise<void> {
    this.setState('negotiating');
    const caps = await queue.submit('qmp_capabilities', undefined, this.tuning.readTimeoutMs);
    const schema =
      caps.kind === 'return'
        ? await queue.submit('query-qmp-schema', undefined, this.tuning.readTimeoutMs)
        : caps;
    if (generation !== this.generation) return;
    if (schema.kind !== 'return') return this.drop(`negotiation failed: ${schema.error.desc}`);
    if (this.traits.versionFromQuery) {
      const version = await queue.submit('query-version', undefined, this.tuning.readTimeoutMs);
      if (generation !== this.generation) return;
      this.greeting =
        version.kind === 'return' && isQemuVersion(version.value)
          ? { QMP: { ...greeting.QMP, version: version.value } }
          : greeting;
    }
    this.schema = schema.value;
    const identity = identifyTarget(schema.value);
    this.schemaCommands = identity.commands;
    this.kind = identity.kind;
    this.connections++;
    this.backoffMs = this.tuning.minBackoffMs;
    this.setState('connected');
  }

  private classify(text: string): QmpMessage | null {
    try {
      const value: unknown = JSON.parse(text);
      if (this.traits.eventDataAsText) eventDataFromText(value);
      return classifyMessage(value);
    } catch {
      return null;
    }
  }

  private handleLine(text: string, queue: CommandQueue): void {
    const message = this.classify(text);
    if (!message) return this.drop('QEMU sent a line that is not a QMP message');
    switch (message.kind) {
      case 'event':
        for (const listener of this.eventListeners) listener(message.event);
        return;
      case 'greeting':
        return this.drop('QEMU sent a second greeting');
      case 'return':
      case 'error': {
        if (message.id === undefined) {
          // QEMU could not read one of our lines (the strict parser refuses what QEMU's parser
          // refuses, so this is a gap in those rules): the answer to the oldest command in flight.
          if (message.kind === 'error') {
            if (!queue.answerOldest({ kind: 'error', error: message.error }))
              this.unknownIdReplies++;
            return;
          }
          // QEMU echoes the id of every command it read; a return without one is not QMP.
          return this.drop('QEMU sent a return without an id');
        }
        const result: CommandResult =
          message.kind === 'return'
            ? { kind: 'return', value: message.value }
            : { kind: 'error', error: message.error };
        if (!queue.reply(message.id, result)) this.unknownIdReplies++;
      }
    }
  }

  /** A line over the reply cap: a reply fails its command, an event is dropped (counted). */
  private oversizedLine(bytes: number, head: string, queue: CommandQueue): void {
    const line = classifyLineHead(head);
    if (line.kind === 'event') {
      this.oversizedEvents++;
      return;
    }
    const result: CommandResult = {
      kind: 'error',
      error: {
        class: ProxyErrorClass.ReplyTooLarge,
        desc: `QEMU's reply was ${bytes} bytes, more than the ${this.tuning.maxReplyBytes}-byte limit`,
      },
    };
    const answered =
      line.id !== undefined ? queue.reply(line.id, result) : queue.answerOldest(result);
    if (!answered) this.unknownIdReplies++;
  }

  /** Tears the connection down, settles every command, and schedules a reconnect. */
  private drop(reason: string): void {
    const socket = this.socket;
    this.socket = null;
    this.generation++;
    socket?.destroy();
    this.queue?.failAll(`the connection to QEMU was lost (${reason})`);
    this.queue = null;
    this.schemaCommands = null;
    this.setState('disconnected', this.held ?? reason);
    if (this.stopped || this.timer || this.held !== null) return;
    const delay = this.backoffMs * (0.5 + Math.random() * 0.5);
    this.backoffMs = Math.min(this.tuning.maxBackoffMs, this.backoffMs * 2);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.open();
    }, delay);
  }
}

/** query-version's answer (qapi/control.json VersionInfo), with the members the proxy shows. */
function isQemuVersion(value: JsonValue): value is JsonValue & QemuVersion {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const qemu = value.qemu;
  return (
    typeof qemu === 'object' &&
    qemu !== null &&
    !Array.isArray(qemu) &&
    ['major', 'minor', 'micro'].every((k) => typeof qemu[k] === 'number') &&
    typeof value.package === 'string'
  );
}

/** An event whose `data` is JSON text gets the object back; anything else is left alone. */
function eventDataFromText(value: unknown): void {
  if (typeof value !== 'object' || value === null || !('event' in value)) return;
  const event = value as { data?: unknown };
  if (typeof event.data !== 'string') return;
  try {
    event.data = JSON.parse(event.data) as unknown;
  } catch {
    delete event.data;
  }
}
