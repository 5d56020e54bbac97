// A QMP client over a WebSocket to the Blockscope proxy, modelled as an explicit state machine:
//   idle → connecting → negotiating → running → (disconnected → connecting …) | closed
//   any open state → refused (a close code reconnecting cannot fix: close-codes.ts) | closed
// Replies are routed by id, events by name. Connecting and negotiating together are bounded by
// negotiationTimeoutMs; past it the socket is closed and the client reconnects with backoff. Every pending call settles when the socket drops:
// with BlockscopeDisconnected if it was never sent, BlockscopeOutcomeUnknown if a mutating
// command was sent (it may have run), and Disconnected for reads. No DOM or Node APIs here.
import { CloseCode, closeVerdict } from './close-codes.ts';
import { ProxyErrorClass, QmpError } from './errors.ts';
import {
  classifyMessage,
  isReadOnlyCommand,
  type JsonObject,
  type JsonValue,
  type QmpEvent,
  type QmpGreeting,
} from './wire.ts';

export type ClientState =
  'idle' | 'connecting' | 'negotiating' | 'running' | 'disconnected' | 'refused' | 'closed';

/** The subset of the WebSocket API the client needs (browser WebSocket and `ws` both fit). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

export interface ClientOptions {
  url: string;
  createSocket: (url: string) => SocketLike;
  /** Reconnect after a drop (default true). */
  reconnect?: boolean;
  /** Backoff bounds in ms (jittered, doubling). */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** From connect() to a negotiated session (default 15 s). */
  negotiationTimeoutMs?: number;
}

interface Pending {
  command: string;
  sent: boolean;
  resolve: (value: JsonValue) => void;
  reject: (error: QmpError) => void;
}

type Listener<T> = (value: T) => void;

export class QmpClient {
  private state: ClientState = 'idle';
  private socket: SocketLike | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly queued: { id: number; frame: string }[] = [];
  private readonly stateListeners = new Set<Listener<ClientState>>();
  private readonly eventListeners = new Set<Listener<QmpEvent>>();
  private backoffMs: number;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  greeting: QmpGreeting | null = null;
  lastClose: { code: number; reason: string } | null = null;
  /** Why the last connection ended, in words (null while nothing went wrong). */
  problem: string | null = null;
  /** When the connection was lost (epoch ms), kept through the retries; null while running. */
  lostAt: number | null = null;
  private negotiationTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly options: ClientOptions) {
    this.backoffMs = options.minBackoffMs ?? 250;
  }

  get currentState(): ClientState {
    return this.state;
  }

  onState(listener: Listener<ClientState>): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  onEvent(listener: Listener<QmpEvent>): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /** Opens the socket. Also reopens a closed client (React's StrictMode unmounts and remounts). */
  connect(): void {
    const { state } = this;
    if (state !== 'idle' && state !== 'disconnected' && state !== 'closed' && state !== 'refused')
      return;
    if (state !== 'disconnected') this.problem = null;
    this.setState('connecting');
    const socket = this.options.createSocket(this.options.url);
    this.socket = socket;
    this.negotiationTimer = setTimeout(() => {
      this.negotiationTimer = null;
      if (this.socket !== socket || this.state === 'running') return;
      socket.close(CloseCode.NegotiationTimeout, 'negotiation timed out');
      // a socket that never opened may not report its close: settle it here
      this.handleClose(socket, { code: CloseCode.NegotiationTimeout, reason: '' });
    }, this.options.negotiationTimeoutMs ?? 15_000);
    socket.onmessage = (ev) => this.handleFrame(ev.data);
    socket.onclose = (ev) => this.handleClose(socket, ev);
    socket.onerror = () => {
      /* onclose follows and does the work */
    };
  }

  /** Closes: pending calls settle and no reconnect follows until connect() is called again. */
  close(): void {
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.clearNegotiationTimer();
    const socket = this.socket;
    this.socket = null;
    this.failPending();
    this.setState('closed');
    socket?.close(1000, 'client closed');
  }

  /** Runs one command. Resolves with its `return` value or rejects with a QmpError. */
  execute<T = JsonValue>(command: string, args?: JsonObject): Promise<T> {
    if (this.state === 'closed') {
      return Promise.reject(
        new QmpError(ProxyErrorClass.Disconnected, 'client is closed', command),
      );
    }
    const id = this.nextId++;
    const frame = JSON.stringify(
      args ? { execute: command, arguments: args, id } : { execute: command, id },
    );
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, {
        command,
        sent: false,
        resolve: resolve as (value: JsonValue) => void,
        reject,
      });
      if (this.state === 'running') this.send(id, frame);
      else this.queued.push({ id, frame });
    });
  }

  private send(id: number, frame: string): void {
    const entry = this.pending.get(id);
    if (!entry || !this.socket) return;
    entry.sent = true;
    this.socket.send(frame);
  }

  private handleFrame(data: unknown): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(String(data));
    } catch {
      return; // the proxy only sends JSON; ignore anything else rather than guess
    }
    const message = classifyMessage(parsed);
    if (!message) return;
    switch (message.kind) {
      case 'greeting':
        this.greeting = message.greeting;
        this.setState('negotiating');
        this.socket?.send(
          JSON.stringify({ execute: 'qmp_capabilities', id: 'blockscope-negotiate' }),
        );
        return;
      case 'event':
        for (const listener of this.eventListeners) listener(message.event);
        return;
      case 'return':
      case 'error': {
        if (this.state === 'negotiating' && message.id === 'blockscope-negotiate') {
          if (message.kind === 'return') this.becomeRunning();
          else this.socket?.close(1000, 'capabilities refused');
          return;
        }
        if (typeof message.id !== 'number') return;
        const entry = this.pending.get(message.id);
        if (!entry) return; // unknown id: dropped, as the QMP spec advises
        this.pending.delete(message.id);
        if (message.kind === 'return') entry.resolve(message.value);
        else entry.reject(new QmpError(message.error.class, message.error.desc, entry.command));
      }
    }
  }

  private becomeRunning(): void {
    this.clearNegotiationTimer();
    this.backoffMs = this.options.minBackoffMs ?? 250;
    this.problem = null;
    this.lostAt = null;
    this.setState('running');
    for (const { id, frame } of this.queued.splice(0)) this.send(id, frame);
  }

  private handleClose(socket: SocketLike, ev: { code: number; reason: string }): void {
    if (socket !== this.socket) return;
    this.socket = null;
    this.clearNegotiationTimer();
    this.lastClose = { code: ev.code, reason: ev.reason };
    this.failPending();
    if (this.state === 'closed') return;
    const verdict = closeVerdict(ev.code, ev.reason);
    this.problem = verdict.message;
    this.lostAt ??= Date.now();
    if (!verdict.retry) {
      this.setState('refused');
      return;
    }
    this.setState('disconnected');
    if (this.options.reconnect === false) return;
    const max = this.options.maxBackoffMs ?? 5_000;
    const delay = this.backoffMs * (0.5 + Math.random() * 0.5);
    this.backoffMs = Math.min(max, this.backoffMs * 2);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect();
    }, delay);
  }

  private clearNegotiationTimer(): void {
    if (this.negotiationTimer) clearTimeout(this.negotiationTimer);
    this.negotiationTimer = null;
  }

  private failPending(): void {
    this.queued.length = 0;
    for (const [id, entry] of this.pending) {
      this.pending.delete(id);
      const unknown = entry.sent && !isReadOnlyCommand(entry.command);
      entry.reject(
        unknown
          ? new QmpError(
              ProxyErrorClass.OutcomeUnknown,
              'the connection dropped after the command was sent; it may or may not have run',
              entry.command,
            )
          : new QmpError(ProxyErrorClass.Disconnected, 'not connected to the proxy', entry.command),
      );
    }
  }

  private setState(state: ClientState): void {
    if (this.state === state) return;
    this.state = state;
    for (const listener of this.stateListeners) listener(state);
  }
}
