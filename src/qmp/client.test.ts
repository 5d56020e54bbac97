// State-sequence tests of the browser QMP client against a scripted socket.
import { describe, expect, it, vi } from 'vitest';
import { QmpClient, type ClientOptions, type ClientState, type SocketLike } from './client.ts';
import { ProxyErrorClass, QmpError } from './errors.ts';

class ScriptedSocket implements SocketLike {
  readyState = 0;
  sent: Record<string, unknown>[] = [];
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  send(data: string) {
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }
  close(code = 1000, reason = '') {
    this.drop(code, reason);
  }
  receive(message: unknown) {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
  drop(code = 1006, reason = '') {
    this.onclose?.({ code, reason });
  }
}

const greeting = {
  QMP: { version: { qemu: { major: 7, minor: 2, micro: 22 }, package: '' }, capabilities: ['oob'] },
};

function setup(options: Partial<ClientOptions> = {}) {
  const sockets: ScriptedSocket[] = [];
  const client = new QmpClient({
    ...options,
    url: 'ws://test/api/qmp/demo',
    createSocket: () => {
      const s = new ScriptedSocket();
      sockets.push(s);
      return s;
    },
    minBackoffMs: 1,
    maxBackoffMs: 2,
  });
  const states: ClientState[] = [];
  client.onState((s) => states.push(s));
  return { client, sockets, states };
}

function negotiate(socket: ScriptedSocket) {
  socket.receive(greeting);
  const caps = socket.sent.at(-1);
  expect(caps).toMatchObject({ execute: 'qmp_capabilities' });
  socket.receive({ return: {}, id: caps?.id });
}

describe('QmpClient', () => {
  it('negotiates, then routes replies by id even when they come out of order', async () => {
    const { client, sockets, states } = setup();
    client.connect();
    const socket = sockets[0]!;
    const first = client.execute('query-version');
    const second = client.execute('query-jobs');
    expect(socket.sent).toEqual([]); // queued until negotiation completes
    negotiate(socket);
    expect(states).toEqual(['connecting', 'negotiating', 'running']);
    const [a, b] = socket.sent.slice(1);
    socket.receive({ return: [], id: b?.id });
    socket.receive({ return: { qemu: { major: 7 } }, id: a?.id });
    await expect(first).resolves.toEqual({ qemu: { major: 7 } });
    await expect(second).resolves.toEqual([]);
    expect(client.greeting?.QMP.version.qemu.major).toBe(7);
  });

  it('rejects with QEMU error class and text', async () => {
    const { client, sockets } = setup();
    client.connect();
    negotiate(sockets[0]!);
    const call = client.execute('block-job-cancel', { device: 'nosuch' });
    const sent = sockets[0]!.sent.at(-1);
    sockets[0]!.receive({
      error: { class: 'DeviceNotActive', desc: "Block job 'nosuch' not found" },
      id: sent?.id,
    });
    await expect(call).rejects.toMatchObject({
      errorClass: 'DeviceNotActive',
      desc: "Block job 'nosuch' not found",
    });
  });

  it('delivers events, including ones that arrive before the reply that caused them', async () => {
    const { client, sockets } = setup();
    const events: string[] = [];
    client.onEvent((e) => events.push(`${e.event}:${String(e.data?.status ?? '')}`));
    client.connect();
    negotiate(sockets[0]!);
    const call = client.execute('blockdev-mirror', { 'job-id': 'm1' });
    const sent = sockets[0]!.sent.at(-1);
    sockets[0]!.receive({
      event: 'JOB_STATUS_CHANGE',
      data: { id: 'm1', status: 'created' },
      timestamp: { seconds: 1, microseconds: 0 },
    });
    sockets[0]!.receive({ return: {}, id: sent?.id });
    await call;
    expect(events).toEqual(['JOB_STATUS_CHANGE:created']);
  });

  it('settles every pending call on disconnect: reads as disconnected, sent mutations as outcome unknown', async () => {
    const { client, sockets, states } = setup();
    client.connect();
    negotiate(sockets[0]!);
    const read = client.execute('query-jobs');
    const write = client.execute('job-complete', { id: 'm1' });
    sockets[0]!.drop();
    const readError = await read.catch((e: unknown) => e);
    const writeError = await write.catch((e: unknown) => e);
    expect(readError).toBeInstanceOf(QmpError);
    expect((readError as QmpError).errorClass).toBe(ProxyErrorClass.Disconnected);
    expect((writeError as QmpError).errorClass).toBe(ProxyErrorClass.OutcomeUnknown);
    expect(states.at(-1)).toBe('disconnected');
    // It reconnects by itself after the backoff.
    await new Promise((r) => setTimeout(r, 20));
    expect(sockets).toHaveLength(2);
    expect(states.at(-1)).toBe('connecting');
  });

  it('drops replies with ids it does not know while a call waits for its own', async () => {
    const { client, sockets } = setup();
    client.connect();
    negotiate(sockets[0]!);
    const pending = client.execute('query-status');
    const sent = sockets[0]!.sent.at(-1)!;
    sockets[0]!.receive({ return: { stray: 'unknown id' }, id: 999 });
    sockets[0]!.receive({ return: { stray: 'same digits, a string' }, id: String(sent.id) });
    sockets[0]!.receive({ error: { class: 'GenericError', desc: 'stray, no id' } });
    sockets[0]!.receive({ return: { status: 'running' }, id: sent.id });
    await expect(pending).resolves.toEqual({ status: 'running' });
    // its own reply a second time is unknown now too, and nothing else is waiting
    const later = client.execute('query-version');
    sockets[0]!.receive({ return: { status: 'again' }, id: sent.id });
    sockets[0]!.receive({ return: { qemu: {} }, id: sockets[0]!.sent.at(-1)!.id });
    await expect(later).resolves.toEqual({ qemu: {} });
    client.close();
  });

  it('stops for good on close()', async () => {
    const { client, sockets, states } = setup();
    client.connect();
    negotiate(sockets[0]!);
    const pending = client.execute('query-status');
    client.close();
    await expect(pending).rejects.toMatchObject({ errorClass: ProxyErrorClass.Disconnected });
    await new Promise((r) => setTimeout(r, 20));
    expect(sockets).toHaveLength(1);
    expect(states.at(-1)).toBe('closed');
    await expect(client.execute('query-status')).rejects.toBeInstanceOf(QmpError);
  });

  it('opens again after close(), as a remounted React provider needs', async () => {
    const { client, sockets, states } = setup();
    client.connect();
    client.close();
    client.connect();
    expect(sockets).toHaveLength(2);
    negotiate(sockets[1]!);
    expect(states.at(-1)).toBe('running');
    const call = client.execute('query-status');
    sockets[1]!.receive({ return: { status: 'running' }, id: sockets[1]!.sent.at(-1)?.id });
    await expect(call).resolves.toEqual({ status: 'running' });
  });
});

describe('QmpClient close codes and negotiation timeout', () => {
  it('stops with a message on a close code that reconnecting cannot fix', async () => {
    for (const [code, text] of [
      [4004, 'no such target'],
      [4001, 'Not signed in'],
      [1008, 'ended the session: binary frames are not QMP'],
      [1009, 'ended the session'],
    ] as const) {
      const { client, sockets, states } = setup();
      client.connect();
      negotiate(sockets[0]!);
      const pending = client.execute('query-status');
      sockets[0]!.drop(code, code === 1008 ? 'binary frames are not QMP' : '');
      await expect(pending).rejects.toMatchObject({ errorClass: ProxyErrorClass.Disconnected });
      expect(states.at(-1)).toBe('refused');
      expect(client.problem).toContain(text);
      await new Promise((r) => setTimeout(r, 20)); // several backoff periods (1-2 ms)
      expect(sockets).toHaveLength(1);
      // an explicit connect() (a person pressing reload) still works
      client.connect();
      expect(sockets).toHaveLength(2);
      client.close();
    }
  });

  it('reconnects after a shutdown or a slow-reader close, saying why', async () => {
    for (const code of [1001, 4008, 1006]) {
      const { client, sockets, states } = setup();
      client.connect();
      negotiate(sockets[0]!);
      sockets[0]!.drop(code);
      expect(states.at(-1)).toBe('disconnected');
      expect(client.problem).toMatch(/restarting|fell behind|lost/);
      await new Promise((r) => setTimeout(r, 20));
      expect(sockets.length).toBeGreaterThan(1);
      negotiate(sockets.at(-1)!);
      expect(client.problem).toBeNull();
      client.close();
    }
  });

  it('keeps the time of the loss through every retry, and forgets it once running again', async () => {
    const { client, sockets } = setup();
    client.connect();
    negotiate(sockets[0]!);
    expect(client.lostAt).toBeNull();
    const before = Date.now();
    sockets[0]!.drop(1006);
    const lostAt = client.lostAt;
    expect(lostAt).toBeGreaterThanOrEqual(before);
    await vi.waitFor(() => expect(sockets.length).toBeGreaterThan(1));
    sockets.at(-1)!.drop(1006); // a failed retry
    await vi.waitFor(() => expect(sockets.length).toBeGreaterThan(2));
    expect(client.currentState).toBe('connecting');
    expect(client.lostAt).toBe(lostAt);
    negotiate(sockets.at(-1)!);
    expect(client.lostAt).toBeNull();
    client.close();
  });

  it('gives up on a negotiation that does not finish in time, and tries again', async () => {
    vi.useFakeTimers();
    try {
      const { client, sockets, states } = setup({ negotiationTimeoutMs: 1_000 });
      client.connect();
      sockets[0]!.receive(greeting); // greeted, but the capabilities reply never comes
      const pending = client.execute('query-status').catch((e: unknown) => e);
      await vi.advanceTimersByTimeAsync(999);
      expect(states.at(-1)).toBe('negotiating');
      await vi.advanceTimersByTimeAsync(1);
      expect(await pending).toMatchObject({ errorClass: ProxyErrorClass.Disconnected });
      expect(states.at(-1)).toBe('disconnected');
      expect(client.problem).toMatch(/greeting/);
      await vi.advanceTimersByTimeAsync(5);
      expect(sockets).toHaveLength(2);
      negotiate(sockets[1]!);
      await vi.advanceTimersByTimeAsync(5_000); // a negotiated session is not timed out
      expect(states.at(-1)).toBe('running');
      client.close();
    } finally {
      vi.useRealTimers();
    }
  });
});
