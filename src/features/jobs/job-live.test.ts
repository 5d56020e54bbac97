import { describe, expect, it } from 'vitest';
import type { TargetHistory } from '../../api/history-queries.ts';
import type { JobsData } from '../../api/jobs-queries.ts';
import type { HistoryEntry, JsonObject } from '../../qmp/wire.ts';
import { TimelineStore } from './job-live.ts';

const ts = (ms: number) => ({ seconds: Math.floor(ms / 1000), microseconds: (ms % 1000) * 1000 });
const entry = (event: string, data: JsonObject, at: number): HistoryEntry => ({
  event,
  data,
  timestamp: ts(at),
  at,
  count: 1,
});
const status = (id: string, s: string, at: number) =>
  entry('JOB_STATUS_CHANGE', { id, status: s }, at);

function history(
  since: number,
  now: number,
  receivedAt: number,
  entries: HistoryEntry[],
): TargetHistory {
  return { since, now, dropped: 0, receivedAt, entries };
}

const RUN = [
  status('m', 'created', 1_000),
  status('m', 'running', 1_001),
  status('m', 'concluded', 9_000),
  status('m', 'null', 9_001),
];

describe('TimelineStore.seed', () => {
  it("rebuilds finished jobs with the proxy's arrival times on the page's clock", () => {
    const store = new TimelineStore();
    // The page's clock is 5 s ahead of the proxy's.
    store.seed(history(500, 10_000, 15_000, RUN));
    const h = store.get().m!;
    expect(h).toMatchObject({
      outcome: 'completed',
      seenCreatedAt: 6_000,
      seenConcludedAt: 14_000,
    });
    expect(h.endedAt).toBeDefined();
  });

  it('the same record again replaces (no doubled entries) and keeps jobs only seen in answers', () => {
    const store = new TimelineStore();
    store.seed(history(500, 10_000, 10_000, RUN.slice(0, 2)));
    store.applyData({
      snapshot: {
        jobs: [
          { id: 'm', type: 'mirror', status: 'running' },
          { id: 'old', type: 'backup', status: 'running' },
        ],
        'block-jobs': [],
      },
      receivedAt: 10_001,
      source: 'proxy',
    } as unknown as JobsData);
    store.seed(history(500, 20_000, 20_000, RUN));
    const t = store.get();
    expect(t.m!.entries.map((e) => e.text)).toEqual(['created', 'running', 'concluded', 'null']);
    expect(t.old).toMatchObject({ type: 'backup', lastStatus: 'running' });
  });

  it("another record (a new proxy) goes on top of the old one's, and stays so when re-sent", () => {
    const store = new TimelineStore();
    store.seed(history(500, 10_000, 10_000, RUN));
    const next = [status('m', 'created', 30_000), status('m', 'running', 30_001)];
    store.seed(history(25_000, 31_000, 31_000, next));
    store.seed(history(25_000, 32_000, 32_000, next));
    const t = store.get();
    expect(Object.keys(t).sort()).toEqual(['m', 'm#1']);
    expect(t['m#1']).toMatchObject({ outcome: 'completed' });
    expect(t.m!.entries.map((e) => e.text)).toEqual(['created', 'running']);
  });
});
