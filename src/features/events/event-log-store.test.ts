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
