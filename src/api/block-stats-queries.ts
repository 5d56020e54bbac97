// I/O statistics of a target's devices, as the proxy's shared query-blockstats reader pushes them
// (X_BLOCKSCOPE_BLOCKSTATS, about once a second) to the sessions that ask. Nothing here reads
// QEMU: the page says it wants the figures with the proxy's own command
// x-blockscope-watch-blockstats, while a component uses them and the tab is visible, and keeps the
// last minutes of samples in the query cache for charts to derive rates from.
import { queryOptions, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { parseBlockStatsSample, type BlockStatsSample } from '../qmp/block-stats.ts';
import type { QmpClient } from '../qmp/client.ts';
import { ProxyCommand, ProxyEvent } from '../qmp/wire.ts';
import { useQmpClient, useTargetName } from './qmp-context.tsx';
import { targetKey } from './query-keys.ts';

/** How much history is kept: the charts show the last five minutes. */
export const HISTORY_MS = 5 * 60_000;

export interface BlockStatsHistory {
  /** Oldest first; a reconnect of the page starts a new history. */
  samples: BlockStatsSample[];
  /** Why there are no samples, when the proxy refused to send them (an older proxy). */
  unavailable?: string;
}

export function blockStatsKey(target: string) {
  return [...targetKey(target), 'blockstats'] as const;
}

/** Push-only: the proxy's event writes it (recordSample); the query function starts it empty. */
export function blockStatsOptions(target: string) {
  return queryOptions({
    queryKey: blockStatsKey(target),
    queryFn: (): BlockStatsHistory => ({ samples: [] }),
    staleTime: Infinity,
    gcTime: Infinity,
  });
}

/** Appends one sample, dropping what is older than HISTORY_MS before it. */
export function withSample(
  history: BlockStatsHistory,
  sample: BlockStatsSample,
): BlockStatsHistory {
  const from = sample.at - HISTORY_MS;
  const kept = history.samples.filter((s) => s.at >= from && s.at < sample.at);
  return { samples: [...kept, sample] };
}

/**
 * One per QmpClient: counts the components that want statistics and tells the proxy once, again
 * after every reconnect (a new session watches nothing), and stops while the tab is hidden.
 */
class StatsInterest {
  private users = 0;
  private told: boolean | null = null;
  private readonly offs: (() => void)[] = [];

  constructor(
    private readonly client: QmpClient,
    private readonly queryClient: QueryClient,
    private readonly target: string,
  ) {}

  acquire(): () => void {
    if (this.users++ === 0) this.start();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.users === 0) this.stop();
    };
  }

  private start(): void {
    this.offs.push(
      this.client.onEvent((event) => {
        if (event.event !== ProxyEvent.BlockStats) return;
        const sample = parseBlockStatsSample(event.data);
        if (!sample) return;
        this.queryClient.setQueryData<BlockStatsHistory>(blockStatsKey(this.target), (old) =>
          withSample(old ?? { samples: [] }, sample),
        );
      }),
      this.client.onState((state) => {
        this.told = null;
        if (state === 'running') this.tell();
      }),
    );
    const onVisibility = () => this.tell();
    document.addEventListener('visibilitychange', onVisibility);
    this.offs.push(() => document.removeEventListener('visibilitychange', onVisibility));
    // What the proxy was told while nobody listened (a reconnect since) is not known: tell again.
    this.told = null;
    this.tell();
  }

  private stop(): void {
    for (const off of this.offs.splice(0)) off();
    this.tell();
  }

  /** Sends the wanted state when it differs from what the proxy was last told. */
  private tell(): void {
    if (this.client.currentState !== 'running') return;
    const enable = this.users > 0 && document.visibilityState !== 'hidden';
    if (this.told === enable || (this.told === null && !enable)) return;
    this.told = enable;
    this.client.execute(ProxyCommand.WatchBlockStats, { enable }).then(
      () => this.setUnavailable(undefined),
      (error: unknown) => {
        this.told = null;
        this.setUnavailable(error instanceof Error ? error.message : String(error));
      },
    );
  }

  private setUnavailable(reason: string | undefined): void {
    this.queryClient.setQueryData<BlockStatsHistory>(blockStatsKey(this.target), (old) => {
      const base = old ?? { samples: [] };
      if (base.unavailable === reason) return old;
      return reason === undefined ? { samples: base.samples } : { ...base, unavailable: reason };
    });
  }
}

const interests = new WeakMap<QmpClient, StatsInterest>();

/**
 * The target's statistics history, narrowed by `select`, while the calling component is mounted
 * (the proxy reads for all of a page's components, and all pages, at once).
 */
export function useBlockStats<T>(select: (history: BlockStatsHistory) => T): T | undefined {
  const client = useQmpClient();
  const target = useTargetName();
  const queryClient = useQueryClient();
  useEffect(() => {
    let interest = interests.get(client);
    if (!interest) {
      interest = new StatsInterest(client, queryClient, target);
      interests.set(client, interest);
    }
    return interest.acquire();
  }, [client, queryClient, target]);
  return useQuery({ ...blockStatsOptions(target), select }).data;
}
