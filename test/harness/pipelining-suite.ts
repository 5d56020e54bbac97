// The pipelining case as one suite, run at two sizes: 10 × 300 in `npm test`
// (test/integration/proxy-pipelining.test.ts) and 50 × 1,000 in the soak suite
// (test/soak/pipelining.test.ts). A real QEMU, sessions that write all their commands at once with
// colliding ids (pipelined-sessions.ts says what they send and how each reply is recognised), and
// one more session that never reads. Every command: exactly one reply, in order, with its own id
// and content, none refused; sessions paused rather than refused; memory under a ceiling.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProxyHandle } from '../../proxy/server.ts';
import { DEFAULT_SESSION_LIMITS } from '../../proxy/session.ts';
import { directVersion, proxyConfig, startTestProxy } from '../integration/proxy-helpers.ts';
import { addThrottleGroups, runPipelines } from './pipelined-sessions.ts';
import { startTestQemu, type TestQemu } from './qemu.ts';

export function describePipelining(sessions: number, commands: number, rssCeilingMiB: number) {
  let qemu: TestQemu;
  let proxy: ProxyHandle;

  beforeAll(async () => {
    qemu = await startTestQemu();
    await addThrottleGroups(qemu.direct, sessions);
    proxy = await startTestProxy(
      proxyConfig([{ name: 'vm', address: { type: 'unix', path: qemu.qmpSocket } }]),
      // The non-reader is cut off once its send buffer has taken nothing for this long.
      { session: { stallMs: 250 } },
    );
  });

  afterAll(async () => {
    await proxy?.stop();
    await qemu?.stop();
  });

  describe(`${sessions} pipelining sessions`, () => {
    it(`answers ${sessions} × ${commands} pipelined commands once each, in order, in bounded memory`, async () => {
      const { major } = await directVersion(qemu);
      const run = await runPipelines(proxy, sessions, commands, major);
      const refused = run.ledgers.reduce((n, l) => n + l.refused, 0);
      const wrong = run.ledgers.reduce((n, l) => n + l.wrong, 0);
      const lost = run.ledgers.reduce((n, l) => n + (commands + 1 - l.answered - l.wrong), 0);
      console.log(
        `pipelining: ${sessions} × ${commands} in ${run.seconds.toFixed(1)} s; refused ${refused}, lost ${lost}, misrouted or out of order ${wrong}; ` +
          `rss ${run.rssBeforeMiB.toFixed(0)} → max ${run.rssMaxMiB.toFixed(0)} MiB; held ≤ ${run.maxHeld}, paused ≤ ${run.maxPaused}, upstream ≤ ${run.maxUpstreamPending}`,
      );
      for (const ledger of run.ledgers) {
        expect(ledger.firstWrong).toBeUndefined();
        expect(ledger).toEqual({ answered: commands + 1, wrong: 0, refused: 0 });
      }
      // Back-pressure did the bounding: sessions were paused, none went past its share, and the
      // target's queue stayed within every session's share.
      expect(run.maxPaused).toBeGreaterThan(0);
      expect(run.maxSessionPending).toBeLessThanOrEqual(DEFAULT_SESSION_LIMITS.maxPending);
      expect(run.maxUpstreamPending).toBeLessThanOrEqual(
        (sessions + 1) * DEFAULT_SESSION_LIMITS.maxPending + 8,
      );
      // Read all at once and queued, the commands would cost far more than this.
      expect(run.rssMaxMiB - run.rssBeforeMiB).toBeLessThan(rssCeilingMiB);
      expect(run.nonReaderDroppedUnderLoad).toBe(true);
    });
  });
}
