// Scripts that pipeline, against a real QEMU: 10 sessions each write 300 commands at once (the
// case that got 7,038 of 9,000 commands refused when the proxy answered BlockscopeOverloaded past
// 64 pending), with colliding ids and a mix of QEMU replies, QEMU errors and the proxy's own
// refusals. Every command gets exactly one reply, in order, with its own id and content; the
// sessions are paused rather than refused; memory stays bounded; a session that never reads is
// cut off at the unsent-data limit meanwhile. The 50 × 1,000 version runs in
// test/soak/pipelining.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProxyHandle } from '../../proxy/server.ts';
import { DEFAULT_SESSION_LIMITS } from '../../proxy/session.ts';
import { addThrottleGroups, runPipelines } from '../harness/pipelined-sessions.ts';
import { startTestQemu, type TestQemu } from '../harness/qemu.ts';
import { directVersion, proxyConfig, startTestProxy } from './proxy-helpers.ts';

const SESSIONS = 10;
const COMMANDS = 300;

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

describe('pipelining sessions', () => {
  it('answers every pipelined command once, in order, with its own id and content', async () => {
    const { major } = await directVersion(qemu);
    const run = await runPipelines(proxy, SESSIONS, COMMANDS, major);
    console.log(
      `pipelining: ${SESSIONS} × ${COMMANDS} in ${run.seconds.toFixed(1)} s; rss ${run.rssBeforeMiB.toFixed(0)} → max ${run.rssMaxMiB.toFixed(0)} MiB; ` +
        `held ≤ ${run.maxHeld}, paused ≤ ${run.maxPaused}, upstream ≤ ${run.maxUpstreamPending}`,
    );
    for (const ledger of run.ledgers) {
      expect(ledger.firstWrong).toBeUndefined();
      expect(ledger).toEqual({ answered: COMMANDS + 1, wrong: 0, refused: 0 });
    }
    // Back-pressure did the bounding: sessions were paused, none went past its share, and the
    // target's queue stayed within every session's share.
    expect(run.maxPaused).toBeGreaterThan(0);
    expect(run.maxSessionPending).toBeLessThanOrEqual(DEFAULT_SESSION_LIMITS.maxPending);
    expect(run.maxUpstreamPending).toBeLessThanOrEqual(
      (SESSIONS + 1) * DEFAULT_SESSION_LIMITS.maxPending + 8,
    );
    expect(run.rssMaxMiB - run.rssBeforeMiB).toBeLessThan(128);
    expect(run.nonReaderDroppedUnderLoad).toBe(true);
  });
});
