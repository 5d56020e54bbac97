// Load against a real qemu-system, bounded in time (SOAK_SECONDS, default 90) and in sessions (50):
// every session pipelines, keeping 40 requests outstanding (five times its share of 8 pending, so
// the proxy keeps pausing it), with the same ids as every other (0, 1, 2 …), while a
// speed-limited mirror runs and the proxy's job poll and events flow. Each session asks for the limits of its own throttle
// group, so a reply handed to the wrong session is visible in its content. A ledger per session
// proves every request got exactly one reply, with its own id and its own content. One more
// session stops reading: it is dropped, and the others finish their ledgers. Memory is sampled
// through the run and must not keep growing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProxyHandle } from '../../proxy/server.ts';
import { startTestQemu, type TestQemu } from '../harness/qemu.ts';
import { proxyConfig, startTestProxy, WsQmp } from '../integration/proxy-helpers.ts';

const SESSIONS = 50;
// Requests each session keeps outstanding. All 50 windows drain after the deadline at QEMU's rate
// (about 1,000 a second here), within the grace below.
const WINDOW = 40;
const SECONDS = Number(process.env.SOAK_SECONDS ?? 90);
const GiB = 1024 * 1024 * 1024;

let qemu: TestQemu;
let proxy: ProxyHandle;

beforeAll(async () => {
  qemu = await startTestQemu({
    args: [
      '-blockdev',
      `null-co,node-name=src,size=${GiB}`,
      '-blockdev',
      `null-co,node-name=dst,size=${GiB}`,
    ],
  });
  for (let i = 0; i < SESSIONS; i++) {
    await qemu.direct.execute('object-add', {
      'qom-type': 'throttle-group',
      id: `tg${i}`,
      limits: { 'bps-total': 1000 + i },
    });
  }
  proxy = await startTestProxy(
    proxyConfig([{ name: 'vm', address: { type: 'unix', path: qemu.qmpSocket } }]),
    { jobPollIntervalMs: 200, session: { maxBufferedBytes: 2 * 1024 * 1024 } },
  );
});

afterAll(async () => {
  await proxy?.stop();
  await qemu?.stop();
});

interface Ledger {
  sent: number;
  replies: Map<number, number>;
  wrongContent: number;
  /** BlockscopeOverloaded replies: a refusal is a reply, but not an answer. */
  refused: number;
  unknownIds: number;
  events: number;
  /** Requests still without a reply 15 s after the deadline. */
  missing: number;
}

/** Runs one session's loop until `deadline`; resolves with its ledger. */
async function drive(index: number, deadline: number): Promise<Ledger> {
  const session = await WsQmp.open(proxy, 'vm');
  const ledger: Ledger = {
    sent: 0,
    replies: new Map(),
    wrongContent: 0,
    refused: 0,
    unknownIds: 0,
    events: 0,
    missing: 0,
  };
  let outstanding = 0;
  let next = 0;
  let finish: () => void = () => {};
  const done = new Promise<void>((resolve) => (finish = resolve));
  const send = () => {
    while (outstanding < WINDOW && Date.now() < deadline) {
      const id = next++;
      outstanding++;
      ledger.sent++;
      session.ws.send(
        JSON.stringify({
          execute: 'qom-get',
          arguments: { path: `/objects/tg${index}`, property: 'limits' },
          id,
        }),
      );
    }
    if (outstanding === 0) finish();
  };
  session.ws.on('message', (data) => {
    const message = JSON.parse(String(data)) as Record<string, unknown>;
    if (!('id' in message)) {
      ledger.events++;
      return;
    }
    const id = message.id as number;
    if (typeof id !== 'number' || id >= next) {
      ledger.unknownIds++;
      return;
    }
    ledger.replies.set(id, (ledger.replies.get(id) ?? 0) + 1);
    if ((message.error as { class?: string } | undefined)?.class === 'BlockscopeOverloaded')
      ledger.refused++;
    const limits = (message.return as Record<string, number> | undefined) ?? {};
    if (limits['bps-total'] !== 1000 + index) ledger.wrongContent++;
    outstanding--;
    send();
  });
  send();
  // A reply that never comes must fail the ledger, not hang the run.
  const grace = new Promise<void>((resolve) => setTimeout(resolve, deadline - Date.now() + 15_000));
  await Promise.race([done, grace]);
  ledger.missing = outstanding;
  session.close();
  return ledger;
}

describe('50 sessions with colliding ids', () => {
  it('gives every request exactly one reply with its own id and content, under jobs and events', async () => {
    const mirror = { 'job-id': 'm', device: 'src', target: 'dst', sync: 'full', speed: 1 << 20 };
    await qemu.direct.execute('blockdev-mirror', mirror);

    // The session that stops reading, asking for large replies.
    const slow = await WsQmp.open(proxy, 'vm');
    (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    for (let i = 0; i < 60; i++)
      slow.ws.send(JSON.stringify({ execute: 'query-qmp-schema', id: i }));

    const deadline = Date.now() + SECONDS * 1000;
    const mux = proxy.multiplexers.get('vm')!;
    const rss: number[] = [];
    let slowDroppedUnderLoad = false;
    const sampler = setInterval(() => {
      rss.push(process.memoryUsage().rss);
      // 50 loaded sessions + the slow one: one fewer while loaded means the slow one was dropped.
      if (Date.now() < deadline && mux.sessionCount === SESSIONS) slowDroppedUnderLoad = true;
    }, 500);
    const ledgers = await Promise.all(
      Array.from({ length: SESSIONS }, (_, i) => drive(i, deadline)),
    );
    clearInterval(sampler);

    let total = 0;
    const sum = (pick: (l: Ledger) => number) => ledgers.reduce((n, l) => n + pick(l), 0);
    const tally = {
      refused: sum((l) => l.refused),
      lost: sum((l) => l.missing),
      misrouted: sum((l) => l.wrongContent + l.unknownIds),
    };
    console.log(
      `soak ledger: refused ${tally.refused}, lost ${tally.lost}, misrouted ${tally.misrouted}`,
    );
    expect(tally).toEqual({ refused: 0, lost: 0, misrouted: 0 });
    for (const ledger of ledgers) {
      total += ledger.sent;
      expect(ledger.missing).toBe(0);
      expect(ledger.events).toBeGreaterThan(0); // the job poll reached every session
      expect(ledger.unknownIds).toBe(0);
      expect(ledger.wrongContent).toBe(0);
      expect(ledger.replies.size).toBe(ledger.sent);
      expect([...ledger.replies.values()].every((n) => n === 1)).toBe(true);
    }
    expect(total).toBeGreaterThan(SESSIONS * WINDOW);
    // The reader that stopped was dropped while the others were loaded (it never closes itself).
    expect(slowDroppedUnderLoad).toBe(true);
    slow.ws.terminate();
    // The job ran all along, in QEMU, untouched by the load.
    const jobs = await qemu.direct.execute<{ id: string; status: string }[]>('query-jobs');
    expect(jobs).toMatchObject([{ id: 'm', status: 'running' }]);
    // Memory: the last third of the run does not climb past the first third by much.
    const third = Math.max(1, Math.floor(rss.length / 3));
    const early = Math.max(...rss.slice(0, third));
    const late = Math.max(...rss.slice(-third));
    console.log(
      `soak: ${total} requests in ${SECONDS}s over ${SESSIONS} sessions; rss early ${early >> 20} MiB, late ${late >> 20} MiB`,
    );
    expect(late).toBeLessThan(early * 1.5 + 64 * 1024 * 1024);
    await qemu.direct.execute('job-cancel', { id: 'm' });
  });
});
