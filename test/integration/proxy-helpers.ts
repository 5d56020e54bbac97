// Helpers for the proxy integration tests: a QMP-over-WebSocket test client, a raw upgrade
// request (to forge Host and Origin), and an in-process proxy on a free port.
import { request } from 'node:http';
import { WebSocket } from 'ws';
import type { ServerConfig, TargetConfig } from '../../proxy/config.ts';
import { startProxy, type ProxyHandle, type ProxyOptions } from '../../proxy/server.ts';

import { MessageInbox, type Message } from './message-inbox.ts';

export type { Message };

/** A WebSocket QMP session that records everything it receives. */
export class WsQmp extends MessageInbox {
  closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    super();
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as Message;
      this.received(message);
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })),
    );
  }

  /** Opens the socket and (unless told not to) negotiates like a browser would. */
  static async open(
    proxy: Pick<ProxyHandle, 'port' | 'token'>,
    target: string,
    { token = proxy.token, negotiate = true, headers = {} as Record<string, string> } = {},
  ): Promise<WsQmp> {
    const ws = new WebSocket(`ws://127.0.0.1:${proxy.port}/api/qmp/${target}`, {
      headers: { Authorization: `Bearer ${token}`, ...headers },
      perMessageDeflate: false,
    });
    const client = new WsQmp(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    if (negotiate) {
      await client.next((m) => 'QMP' in m);
      const reply = await client.send({ execute: 'qmp_capabilities', id: '__neg' });
      if (!('return' in reply)) throw new Error(`negotiation failed: ${JSON.stringify(reply)}`);
    }
    return client;
  }

  /** Sends a command object and waits for the reply carrying its id (deep-equal). */
  send(command: Message): Promise<Message> {
    const id = JSON.stringify(command.id);
    const count = this.messages.filter((m) => JSON.stringify(m.id) === id).length;
    this.ws.send(JSON.stringify(command));
    let seen = 0;
    return this.next((m) => 'id' in m && JSON.stringify(m.id) === id && ++seen > count);
  }

  /** Sends raw text and waits for the next reply that is not an event. */
  sendRaw(text: string): Promise<Message> {
    const before = this.messages.length;
    this.ws.send(text);
    return this.next((m) => !('event' in m) && this.messages.indexOf(m) >= before);
  }

  events(name: string): Message[] {
    return this.messages.filter((m) => m.event === name);
  }

  close(): void {
    this.ws.close();
  }
}

/** An upgrade request with any headers; resolves with the HTTP status (101 when accepted). */
export function rawUpgrade(
  port: number,
  path: string,
  headers: Record<string, string>,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      path,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
        ...headers,
      },
    });
    req.on('upgrade', (_res, socket) => {
      socket.destroy();
      resolve(101);
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

export function proxyConfig(
  targets: TargetConfig[],
  extra: Partial<ServerConfig> = {},
): ServerConfig {
  return { listen: { host: '127.0.0.1', port: 0 }, targets, allowPaths: [], ...extra };
}

/** Starts the proxy in-process with short timings, and waits for every target to connect. */
export async function startTestProxy(
  config: ServerConfig,
  options: ProxyOptions = {},
): Promise<ProxyHandle> {
  const proxy = await startProxy(config, {
    tokenStore: 'ephemeral',
    ...options,
    upstream: {
      greetingTimeoutMs: 1_000,
      minBackoffMs: 50,
      maxBackoffMs: 500,
      ...options.upstream,
    },
  });
  await Promise.all(
    [...proxy.multiplexers.values()].map((mux) => waitForState(mux.upstream, 'connected')),
  );
  return proxy;
}

export function waitForState(
  upstream: { currentState: string; onState(l: (c: { state: string }) => void): () => void },
  state: string,
  timeoutMs = 20_000,
): Promise<void> {
  if (upstream.currentState === state) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`upstream did not reach '${state}' (is '${upstream.currentState}')`));
    }, timeoutMs);
    const off = upstream.onState((change) => {
      if (change.state !== state) return;
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}

/** QEMU's version as the proxy reports it ("7.2.22"), read from the test's own monitor. */
export async function directVersion(qemu: {
  direct: { execute<T>(command: string): Promise<T> };
}): Promise<{ text: string; major: number }> {
  const v = await qemu.direct.execute<{ qemu: { major: number; minor: number; micro: number } }>(
    'query-version',
  );
  return { text: `${v.qemu.major}.${v.qemu.minor}.${v.qemu.micro}`, major: v.qemu.major };
}
