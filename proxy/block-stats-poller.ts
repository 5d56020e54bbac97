// One `query-blockstats` reader per target, shared by everyone who wants I/O statistics: the
// sessions that asked for them (x-blockscope-watch-blockstats) and /metrics scrapes. QEMU emits no
// I/O events, so the counters are read: once per interval while at least one session watches, and
// for a scrape only when the last read is older than the interval (a scrape while pages watch
// costs QEMU nothing). Reads never overlap and never start closer than the interval, whatever the
// number of sessions and scrapers; with nobody watching and nobody scraping nothing is asked.
// A failed read while watched is retried with doubling delays up to 30 s, like the job poller.
import { parseBlockStatsList, type BlockStatsSample } from '../src/qmp/block-stats.ts';
import type { CommandResult } from './command-queue.ts';

export interface BlockStatsPollerOptions<W> {
  run: (command: string) => Promise<CommandResult>;
  /** A new sample for the watchers (the same object for all of them). */
  publish: (sample: BlockStatsSample, watchers: ReadonlySet<W>) => void;
  intervalMs?: number;
  now?: () => number;
  /** Whether the target is connected when the poller is made (later: kick and stop). */
  connected?: boolean;
}

const MAX_RETRY_MS = 30_000;

export class BlockStatsPoller<W> {
  private readonly watchers = new Set<W>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private inFlight: Promise<BlockStatsSample | null> | null = null;
  private connected: boolean;
  private failures = 0;
  private lastStart = -Infinity;
  /** The last sample read, null after a failed read or a disconnect. */
  latest: BlockStatsSample | null = null;
  polls = 0;
  readonly intervalMs: number;
  private readonly now: () => number;

  constructor(private readonly options: BlockStatsPollerOptions<W>) {
    this.intervalMs = options.intervalMs ?? 1_000;
    this.now = options.now ?? Date.now;
    this.connected = options.connected ?? false;
  }

  get watcherCount(): number {
    return this.watchers.size;
  }

  /** Starts (or keeps) sending samples to `watcher`; it gets the latest one at once if any. */
  watch(watcher: W): void {
    if (this.watchers.has(watcher)) return;
    this.watchers.add(watcher);
    if (this.latest) this.options.publish(this.latest, new Set([watcher]));
    this.schedule();
  }

  unwatch(watcher: W): void {
    this.watchers.delete(watcher);
    if (this.watchers.size === 0) this.clearTimer();
  }

  /** The target is connected (again): resume reading for the watchers. */
  kick(): void {
    this.connected = true;
    this.failures = 0;
    this.schedule();
  }

  /** The connection dropped: stop reading and forget the last sample; watchers stay. */
  stop(): void {
    this.connected = false;
    this.latest = null;
    this.failures = 0;
    this.clearTimer();
  }

  /**
   * A sample for a scrape: the read in progress, or the latest one if it is younger than the
   * interval, or a new read. Null while disconnected or when the read failed.
   */
  fresh(): Promise<BlockStatsSample | null> {
    if (this.inFlight) return this.inFlight;
    if (!this.connected) return Promise.resolve(null);
    if (this.now() - this.lastStart < this.intervalMs) return Promise.resolve(this.latest);
    return this.poll();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** The next read for the watchers: an interval after the last one started (backed off after failures). */
  private schedule(): void {
    if (this.timer || this.inFlight || !this.connected || this.watchers.size === 0) return;
    const spacing =
      this.failures === 0
        ? this.intervalMs
        : Math.min(MAX_RETRY_MS, this.intervalMs * 2 ** (this.failures - 1));
    const delay = Math.max(0, this.lastStart + spacing - this.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.poll();
    }, delay);
  }

  private poll(): Promise<BlockStatsSample | null> {
    this.clearTimer();
    this.polls++;
    this.lastStart = this.now();
    const read = this.options.run('query-blockstats').then((result) => {
      this.inFlight = null;
      if (!this.connected) return null;
      if (result.kind !== 'return') {
        this.failures++;
        this.latest = null;
        this.schedule();
        return null;
      }
      this.failures = 0;
      const sample: BlockStatsSample = {
        at: this.now(),
        'interval-ms': this.intervalMs,
        blockstats: parseBlockStatsList(result.value),
      };
      this.latest = sample;
      if (this.watchers.size > 0) this.options.publish(sample, this.watchers);
      this.schedule();
      return sample;
    });
    this.inFlight = read;
    return read;
  }
}
