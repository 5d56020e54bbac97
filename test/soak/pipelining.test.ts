// The full pipelining case against a real QEMU: 50 sessions each write 1,000 commands at once with
// colliding ids (test/harness/pipelined-sessions.ts says what they send and how each reply is
// recognised), while one more session never reads. Every command: exactly one reply, in order,
// with its own id and content, none refused; memory sampled through the run stays under a
// ceiling. `npm test` runs the 10 × 300 version (test/integration/proxy-pipelining.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProxyHandle } from '../../proxy/server.ts';
import { DEFAULT_SESSION_LIMITS } from '../../proxy/session.ts';
import { addThrottleGroups, runPipelines } from '../harness/pipelined-sessions.ts';
import { startTestQemu, type TestQemu } from '../harness/qemu.ts';
import { directVersion, proxyConfig, startTestProxy } from '../integration/proxy-helpers.ts';

const SESSIONS = 50;
const COMMANDS = 1000;

let qemu: TestQemu;
let proxy: ProxyHandle;

beforeAll(async () => {
  qemu = await startTestQemu();
  await addThrottleGroups(qemu.direct, SESSIONS);
  proxy = await startTestProxy(
    proxyConfig([{ name: 'vm', address: { type: 'unix', path: qemu.qmpSocket } }]),
  );
});

afterAll(async () => {
  await proxy?.stop();
  await qemu?.stop();
});

describe('50 pipelining sessions', () => {
  it('answers 50 × 1,000 pipelined commands once each, in order, in bounded memory', async () => {
    const { major } = await directVersion(qemu);
    const run = await runPipelines(proxy, SESSIONS, COMMANDS, major);
    const refused = run.ledgers.reduce((n, l) => n + l.refused, 0);
    const wrong = run.ledgers.reduce((n, l) => n + l.wrong, 0);
    const lost = run.ledgers.reduce((n, l) => n + (COMMANDS + 1 - l.answered - l.wrong), 0);
    console.log(
      `pipelining soak: ${SESSIONS} × ${COMMANDS} in ${run.seconds.toFixed(1)} s; refused ${refused}, lost ${lost}, misrouted or out of order ${wrong}; ` +
        `rss ${run.rssBeforeMiB.toFixed(0)} → max ${run.rssMaxMiB.toFixed(0)} MiB; held ≤ ${run.maxHeld}, paused ≤ ${run.maxPaused}, upstream ≤ ${run.maxUpstreamPending}`,
    );
    for (const ledger of run.ledgers) {
      expect(ledger.firstWrong).toBeUndefined();
      expect(ledger).toEqual({ answered: COMMANDS + 1, wrong: 0, refused: 0 });
    }
    expect(run.maxPaused).toBeGreaterThan(0);
    expect(run.maxSessionPending).toBeLessThanOrEqual(DEFAULT_SESSION_LIMITS.maxPending);
    expect(run.maxUpstreamPending).toBeLessThanOrEqual(
      (SESSIONS + 1) * DEFAULT_SESSION_LIMITS.maxPending + 8,
    );
    // 50,000 commands: read all at once and queued, they would cost far more than this.
    expect(run.rssMaxMiB - run.rssBeforeMiB).toBeLessThan(192);
    expect(run.nonReaderDroppedUnderLoad).toBe(true);
  });
});
