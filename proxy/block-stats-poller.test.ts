import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProxyErrorClass } from '../src/qmp/errors.ts';
import type { BlockStatsSample } from '../src/qmp/block-stats.ts';
import type { CommandResult } from './command-queue.ts';
import { BlockStatsPoller } from './block-stats-poller.ts';

const counters = (wr: number) => ({
  rd_bytes: 0,
  wr_bytes: wr,
  rd_operations: 0,
  wr_operations: wr / 4096,
  flush_operations: 0,
  rd_total_time_ns: 0,
  wr_total_time_ns: 0,
  flush_total_time_ns: 0,
  failed_rd_operations: 0,
  failed_wr_operations: 0,
  failed_flush_operations: 0,
  invalid_rd_operations: 0,
  invalid_wr_operations: 0,
  invalid_flush_operations: 0,
});

const timeout: CommandResult = {
  kind: 'error',
  error: { class: ProxyErrorClass.Timeout, desc: 'no reply within 30000 ms' },
};

/** A poller over a scripted QEMU whose vda has written 4 KiB more at every read. */
function make(answers: CommandResult[] = [], replyDelayMs = 0) {
  let written = 0;
  const asked: number[] = [];
  const published: { sample: BlockStatsSample; to: string[] }[] = [];
  const poller = new BlockStatsPoller<string>({
    run: (command) => {
      expect(command).toBe('query-blockstats');
      asked.push(Date.now());
      written += 4096;
      const answer = answers.shift() ?? {
        kind: 'return',
        value: [
          {
            device: '',
            qdev: '/machine/peripheral/vda/virtio-backend',
            'node-name': 'top',
            stats: counters(written),
            parent: { stats: counters(0) },
          },
        ],
      };
      if (replyDelayMs === 0) return Promise.resolve(answer);
      return new Promise((resolve) => setTimeout(() => resolve(answer), replyDelayMs));
    },
    publish: (sample, watchers) => published.push({ sample, to: [...watchers] }),
    intervalMs: 1_000,
    connected: true,
  });
  return { poller, asked, published };
}

beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
afterEach(() => vi.useRealTimers());

describe('BlockStatsPoller', () => {
  it('asks nothing while nobody watches or scrapes', async () => {
    const { asked } = make();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(asked).toEqual([]);
  });

  it('reads once per interval for any number of watchers, and stops with the last one', async () => {
    const { poller, asked, published } = make();
    for (const session of ['a', 'b', 'c', 'd']) poller.watch(session);
    await vi.advanceTimersByTimeAsync(0);
    expect(asked).toHaveLength(1);
    expect(published.at(-1)?.to).toEqual(['a', 'b', 'c', 'd']);
    // The subtrees QEMU repeats with zeroed counters are not passed on.
    expect(published.at(-1)?.sample.blockstats).toEqual([
      {
        device: '',
        qdev: '/machine/peripheral/vda/virtio-backend',
        'node-name': 'top',
        stats: counters(4096),
      },
    ]);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(asked).toHaveLength(6);
    expect(asked.slice(1).map((t, i) => t - asked[i]!)).toEqual([1000, 1000, 1000, 1000, 1000]);
    // A late watcher gets the latest sample at once, and does not add a read.
    poller.watch('e');
    expect(published.at(-1)).toMatchObject({ to: ['e'] });
    for (const session of ['a', 'b', 'c', 'd', 'e']) poller.unwatch(session);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(asked).toHaveLength(6);
  });

  it('answers scrapes from the watchers’ reads, and reads for scrapes at most once per interval', async () => {
    const { poller, asked } = make([], 50);
    // Nobody watches: ten scrapes at once share one read.
    const first = Array.from({ length: 10 }, () => poller.fresh());
    await vi.advanceTimersByTimeAsync(60);
    expect(asked).toHaveLength(1);
    const samples = new Set(await Promise.all(first));
    expect(samples.size).toBe(1);
    expect([...samples][0]?.blockstats).toHaveLength(1);
    // Within the interval: the same sample, no read.
    await vi.advanceTimersByTimeAsync(500);
    expect(await poller.fresh()).toBe(poller.latest);
    expect(asked).toHaveLength(1);
    // Pages watch: scrapes in between reads cost nothing.
    poller.watch('page');
    await vi.advanceTimersByTimeAsync(10_000);
    const reads = asked.length;
    for (let i = 0; i < 20; i++) {
      await vi.advanceTimersByTimeAsync(250);
      await poller.fresh();
    }
    // 5 s more of watching is 5 reads, whatever the scrapes did.
    expect(asked.length - reads).toBe(5);
    const gaps = asked.slice(1).map((t, i) => t - asked[i]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(1000);
  });

  it('stops on disconnect keeping its watchers, and resumes on kick', async () => {
    const { poller, asked, published } = make();
    poller.watch('a');
    await vi.advanceTimersByTimeAsync(2_500);
    expect(asked).toHaveLength(3);
    poller.stop();
    expect(poller.latest).toBeNull();
    expect(await poller.fresh()).toBeNull();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(asked).toHaveLength(3);
    poller.kick();
    await vi.advanceTimersByTimeAsync(0);
    expect(asked).toHaveLength(4);
    expect(published.at(-1)?.to).toEqual(['a']);
  });

  it('backs off after failed reads while watched, and publishes nothing for them', async () => {
    // Two timeouts, then good reads.
    const { poller, asked, published } = make([timeout, timeout]);
    poller.watch('a');
    await vi.advanceTimersByTimeAsync(0); // fails
    expect(asked).toHaveLength(1);
    expect(published).toEqual([]);
    expect(await poller.fresh()).toBeNull();
    await vi.advanceTimersByTimeAsync(999);
    expect(asked).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1); // retry after 1 s: fails
    expect(asked).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1_999);
    expect(asked).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1); // then 2 s: succeeds
    expect(asked).toHaveLength(3);
    expect(published).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1_000); // back to the interval
    expect(asked).toHaveLength(4);
  });
});
