import { describe, expect, it } from 'vitest';
import { ProxyEvent } from '../../qmp/wire.ts';
import { eventLogFor, EventLogStore } from './event-log-store.ts';

const at = { seconds: 1_795_318_000, microseconds: 0 };

describe('EventLogStore', () => {
  it("logs QEMU's and the proxy's state events but not the proxy's job and statistics polls", () => {
    const store = new EventLogStore();
    let notified = 0;
    store.subscribe(() => notified++);
    store.add({ event: ProxyEvent.Jobs, data: { jobs: [], 'block-jobs': [] }, timestamp: at });
    store.add({ event: 'RESUME', timestamp: at });
    store.add({ event: ProxyEvent.BlockStats, data: { blockstats: [] }, timestamp: at });
    store.add({ event: ProxyEvent.TargetState, data: { state: 'connected' }, timestamp: at });
    expect(store.getRows().map((r) => r.name)).toEqual(['RESUME', ProxyEvent.TargetState]);
    expect(notified).toBe(2);
    store.clear();
    expect(store.getRows()).toEqual([]);
  });
});

const history = (since: number, now: number, receivedAt: number, names: string[]) => ({
  since,
  now,
  dropped: 0,
  receivedAt,
  entries: names.map((event, i) => ({
    event,
    timestamp: { seconds: -1, microseconds: -1 },
    at: now - 1_000 + i,
    count: event === 'BLOCK_JOB_ERROR' ? 16 : 1,
  })),
});

describe('EventLogStore.seed', () => {
  it("starts from the proxy's history on the page's clock, with the proxy's counts", () => {
    const store = new EventLogStore();
    // The proxy's clock is 1 h behind the page's.
    store.seed(history(10, 50_000, 50_000 + 3_600_000, ['RESUME', 'BLOCK_JOB_ERROR']));
    expect(store.getRows().map((r) => [r.name, r.count, r.firstT])).toEqual([
      ['RESUME', 1, 3_649_000],
      ['BLOCK_JOB_ERROR', 16, 3_649_001],
    ]);
  });

  it('the same record again replaces the rows; another one (a new proxy) is added after them', () => {
    const store = new EventLogStore();
    store.seed(history(10, 50_000, 50_000, ['A']));
    store.add({ event: 'B', timestamp: at });
    // A reconnect: the record holds A, B and what happened meanwhile.
    store.seed(history(10, 60_000, 60_000, ['A', 'B', 'C']));
    expect(store.getRows().map((r) => r.name)).toEqual(['A', 'B', 'C']);
    // The very same copy again (the cached one after the live one) changes nothing.
    const rows = store.getRows();
    store.seed(history(10, 60_000, 60_100, ['A', 'B', 'C']));
    expect(store.getRows()).toBe(rows);
    store.seed(history(70_000, 80_000, 80_000, ['D']));
    expect(store.getRows().map((r) => r.name)).toEqual(['A', 'B', 'C', 'D']);
    // The new proxy's record again (another reconnect): the older rows stay before it.
    store.add({ event: 'E', timestamp: at });
    store.seed(history(70_000, 90_000, 90_000, ['D', 'E', 'F']));
    expect(store.getRows().map((r) => r.name)).toEqual(['A', 'B', 'C', 'D', 'E', 'F']);
  });

  it('takes the history from its event, and a Clear is not undone by a reconnect', () => {
    const store = new EventLogStore();
    const now = Date.now();
    store.add(
      {
        event: ProxyEvent.History,
        data: history(1, now, now, ['OLD']) as never,
        timestamp: at,
      },
      now,
    );
    expect(store.getRows().map((r) => r.name)).toEqual(['OLD']);
    store.clear();
    const later = history(1, now + 5_000, now + 5_000, ['OLD', 'NEW']);
    later.entries[0]!.at = now - 1_000;
    later.entries[1]!.at = now + 6_000;
    store.seed(later);
    expect(store.getRows().map((r) => r.name)).toEqual(['NEW']);
  });

  it("leaves out the session's snapshots after the history, so a burst goes on in one row", () => {
    const store = new EventLogStore();
    const now = Date.now();
    const t = (ms: number) => ({
      seconds: Math.floor(ms / 1000),
      microseconds: (ms % 1000) * 1000,
    });
    const error = { device: 'm', operation: 'write', action: 'report' };
    const seeded = {
      since: 1,
      now,
      dropped: 0,
      entries: [
        {
          event: 'BLOCK_JOB_ERROR',
          data: error,
          timestamp: t(now - 50),
          at: now - 50,
          count: 5,
          'last-timestamp': t(now - 10),
          'last-at': now - 10,
        },
      ],
    };
    store.add({ event: ProxyEvent.History, data: seeded as never, timestamp: t(now) }, now);
    store.add({ event: ProxyEvent.TargetState, data: { state: 'connected' }, timestamp: t(now) });
    store.add({ event: ProxyEvent.Jobs, data: { jobs: [] }, timestamp: t(now) });
    store.add({ event: ProxyEvent.Backups, data: { backups: [] }, timestamp: t(now) });
    store.add({ event: ProxyEvent.NbdServer, data: { state: 'unknown' }, timestamp: t(now) });
    store.add({ event: 'BLOCK_JOB_ERROR', data: error, timestamp: t(now + 5) });
    expect(store.getRows().map((r) => [r.name, r.count])).toEqual([['BLOCK_JOB_ERROR', 6]]);
    // Later changes of the records are logged: only the snapshots right after the history go.
    store.add({ event: ProxyEvent.NbdServer, data: { state: 'running' }, timestamp: t(now) });
    expect(store.getRows().map((r) => r.name)).toEqual(['BLOCK_JOB_ERROR', ProxyEvent.NbdServer]);
  });
});

describe('eventLogFor', () => {
  it('keeps the logs of the 32 targets used last, dropping the one unused longest', () => {
    const first = eventLogFor('prune-0');
    const second = eventLogFor('prune-1');
    for (let i = 2; i < 32; i++) eventLogFor(`prune-${i}`);
    // prune-0 used again: prune-1 is now the one unused longest, and goes with the 33rd.
    expect(eventLogFor('prune-0')).toBe(first);
    eventLogFor('prune-32');
    expect(eventLogFor('prune-0')).toBe(first);
    expect(eventLogFor('prune-1')).not.toBe(second);
  });
});
