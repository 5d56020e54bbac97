import { describe, expect, it } from 'vitest';
import type { JsonObject, QmpEvent } from '../src/qmp/wire.ts';
import { EventHistory } from './event-history.ts';
import { commandDoneData } from './multiplexer.ts';

function ev(name: string, data?: JsonObject, seconds = 1): QmpEvent {
  return { event: name, ...(data ? { data } : {}), timestamp: { seconds, microseconds: 0 } };
}

function clockFrom(start: number) {
  let t = start;
  return { now: () => t, step: (ms: number) => (t += ms) };
}

describe('EventHistory', () => {
  it('keeps events in order with the proxy arrival time, and says when it began', () => {
    const clock = clockFrom(5_000);
    const history = new EventHistory(undefined, clock.now);
    history.record(ev('JOB_STATUS_CHANGE', { id: 'm', status: 'created' }, 4));
    clock.step(250);
    history.record(ev('BLOCK_JOB_READY', { device: 'm' }, 5));
    clock.step(10);
    const data = history.data();
    expect(data.since).toBe(5_000);
    expect(data.now).toBe(5_260);
    expect(data.dropped).toBe(0);
    expect(data.entries).toEqual([
      {
        event: 'JOB_STATUS_CHANGE',
        data: { id: 'm', status: 'created' },
        timestamp: { seconds: 4, microseconds: 0 },
        at: 5_000,
        count: 1,
      },
      {
        event: 'BLOCK_JOB_READY',
        data: { device: 'm' },
        timestamp: { seconds: 5, microseconds: 0 },
        at: 5_250,
        count: 1,
      },
    ]);
  });

  it('counts a burst of identical events as one entry, with its last time', () => {
    const clock = clockFrom(0);
    const history = new EventHistory({ maxEntries: 3, maxBytes: 1 << 20 }, clock.now);
    history.record(ev('JOB_STATUS_CHANGE', { id: 'm', status: 'running' }));
    const error = { device: 'm', operation: 'write', action: 'report' };
    for (let i = 0; i < 500; i++) {
      clock.step(1);
      history.record(ev('BLOCK_JOB_ERROR', error, 2 + i));
    }
    history.record(ev('BLOCK_JOB_ERROR', { ...error, action: 'stop' }, 600));
    const entries = history.entries();
    // The burst did not push the older entry out.
    expect(entries.map((e) => [e.event, e.count])).toEqual([
      ['JOB_STATUS_CHANGE', 1],
      ['BLOCK_JOB_ERROR', 500],
      ['BLOCK_JOB_ERROR', 1],
    ]);
    expect(entries[1]).toMatchObject({
      at: 1,
      'last-at': 500,
      timestamp: { seconds: 2 },
      'last-timestamp': { seconds: 501 },
    });
  });

  it('does not merge the same event separated by another', () => {
    const history = new EventHistory();
    history.record(ev('A'));
    history.record(ev('B'));
    history.record(ev('A'));
    expect(history.entries().map((e) => e.count)).toEqual([1, 1, 1]);
  });

  it('lets the oldest go past its entry bound, and counts them', () => {
    const history = new EventHistory({ maxEntries: 4, maxBytes: 1 << 20 });
    for (let i = 0; i < 10; i++) history.record(ev('E', { i }));
    expect(history.entries().map((e) => e.data?.i)).toEqual([6, 7, 8, 9]);
    expect(history.data().dropped).toBe(6);
    // Still bounded after many more (the array is compacted).
    for (let i = 10; i < 5_000; i++) history.record(ev('E', { i }));
    expect(history.size).toBe(4);
    expect(history.entries()[3]!.data?.i).toBe(4_999);
  });

  it('lets the oldest go past its byte bound, but keeps the newest however big', () => {
    const history = new EventHistory({ maxEntries: 1_000, maxBytes: 2_000 });
    for (let i = 0; i < 10; i++) history.record(ev('E', { i, pad: 'x'.repeat(400) }));
    const kept = history.entries();
    expect(kept.length).toBeGreaterThan(1);
    expect(kept.length).toBeLessThan(5);
    expect(kept[kept.length - 1]!.data?.i).toBe(9);
    history.record(ev('HUGE', { pad: 'y'.repeat(10_000) }));
    expect(history.entries().map((e) => e.event)).toEqual(['HUGE']);
  });

  it('hands out copies: a later merge does not change what was sent', () => {
    const history = new EventHistory();
    history.record(ev('E'));
    const sent = history.entries();
    history.record(ev('E'));
    expect(sent[0]!.count).toBe(1);
    expect(history.entries()[0]!.count).toBe(2);
  });
});

describe('commandDoneData', () => {
  it('tells the command, the role and the identifying arguments only', () => {
    expect(
      commandDoneData('blockdev-mirror', 'operator', {
        'job-id': 'mirror-data',
        device: 'data',
        target: 'copy',
        sync: 'full',
        speed: 100,
      }),
    ).toEqual({
      command: 'blockdev-mirror',
      role: 'operator',
      'job-id': 'mirror-data',
      device: 'data',
    });
    expect(
      commandDoneData('object-add', 'admin', { 'qom-type': 'secret', id: 'sec0', data: 'hunter2' }),
    ).toEqual({ command: 'object-add', role: 'admin', id: 'sec0' });
    expect(commandDoneData('stop')).toEqual({ command: 'stop' });
    expect(commandDoneData('x', 'operator', { name: { nested: 'no' } })).toEqual({
      command: 'x',
      role: 'operator',
    });
    expect(commandDoneData('x', undefined, { name: 'n'.repeat(1000) }).name).toHaveLength(256);
  });
});
