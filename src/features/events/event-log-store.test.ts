import { describe, expect, it } from 'vitest';
import { ProxyEvent } from '../../qmp/wire.ts';
import { EventLogStore } from './event-log-store.ts';

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
