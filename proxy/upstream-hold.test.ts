import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_UPSTREAM_TUNING, Upstream, type StateChange } from './upstream.ts';

afterEach(() => vi.useRealTimers());

describe('an upstream held by the way to QEMU (an ssh:// forward that is not up)', () => {
  it('stays disconnected with the reason given, tries nothing until resumed, then tries at once', async () => {
    vi.useFakeTimers();
    const upstream = new Upstream(
      't',
      { type: 'unix', path: '/nonexistent/blockscope-hold-test.sock' },
      { ...DEFAULT_UPSTREAM_TUNING, minBackoffMs: 10, maxBackoffMs: 20 },
    );
    const changes: StateChange[] = [];
    upstream.onState((change) => changes.push(change));
    upstream.hold('connecting through ssh');
    upstream.start();
    expect(upstream.currentState).toBe('disconnected');
    expect(upstream.reason).toBe('connecting through ssh');
    // a minute of backoff timers would have tried six thousand times: none is made
    vi.advanceTimersByTime(60_000);
    expect(changes).toEqual([{ state: 'disconnected', reason: 'connecting through ssh' }]);

    // a new reason replaces the old one, still without an attempt
    upstream.hold('link lost; trying again in 1 s');
    expect(changes.at(-1)).toEqual({
      state: 'disconnected',
      reason: 'link lost; trying again in 1 s',
    });

    vi.useRealTimers();
    const attempted = new Promise<StateChange>((resolve) =>
      upstream.onState((change) => change.reason === 'ENOENT' && resolve(change)),
    );
    upstream.resume();
    // the attempt is made at once: its failure is the reason now, and the usual retries follow
    expect(await attempted).toEqual({ state: 'disconnected', reason: 'ENOENT' });
    upstream.stop();
  });
});
