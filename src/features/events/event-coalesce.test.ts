import { describe, expect, it } from 'vitest';
import type { JsonObject, QmpEvent } from '../../qmp/wire.ts';
import {
  appendEvent,
  commandSentence,
  eventNames,
  filterRows,
  type EventRow,
} from './event-coalesce.ts';

function ev(event: string, data: JsonObject | undefined, ms: number): QmpEvent {
  const e: QmpEvent = {
    event,
    timestamp: { seconds: 1_795_318_000 + Math.floor(ms / 1000), microseconds: (ms % 1000) * 1000 },
  };
  if (data) e.data = data;
  return e;
}

function feed(events: QmpEvent[], options = {}): EventRow[] {
  let rows: EventRow[] = [];
  events.forEach((e, i) => (rows = appendEvent(rows, e, 0, i, options)));
  return rows;
}

const ERROR = { device: 'mRep', operation: 'write', action: 'report' };

describe('event log coalescing', () => {
  it('turns 16 BLOCK_JOB_ERROR in one millisecond into one row with a count', () => {
    const events = [ev('JOB_STATUS_CHANGE', { status: 'running', id: 'mRep' }, 0)];
    for (let i = 0; i < 16; i++) events.push(ev('BLOCK_JOB_ERROR', ERROR, 1));
    events.push(ev('JOB_STATUS_CHANGE', { status: 'aborting', id: 'mRep' }, 1));
    const rows = feed(events);
    expect(rows.map((r) => [r.name, r.count])).toEqual([
      ['JOB_STATUS_CHANGE', 1],
      ['BLOCK_JOB_ERROR', 16],
      ['JOB_STATUS_CHANGE', 1],
    ]);
    expect(rows[1]!.seq).toBe(1); // keeps the first row's identity
  });

  it('keeps events with different data, or far apart, as separate rows', () => {
    const rows = feed([
      ev('BLOCK_JOB_ERROR', ERROR, 0),
      ev('BLOCK_JOB_ERROR', { ...ERROR, device: 'other' }, 0),
      ev('BLOCK_JOB_ERROR', { ...ERROR, device: 'other' }, 5000),
    ]);
    expect(rows.map((r) => r.count)).toEqual([1, 1, 1]);
  });

  it('merges payload-less events (STOP, RESUME) and spans first to last time', () => {
    const rows = feed([ev('RESUME', undefined, 0), ev('RESUME', undefined, 400)]);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.lastT - rows[0]!.firstT).toBe(400);
  });

  it('drops the oldest rows beyond the limit', () => {
    const rows = feed(
      [0, 1, 2, 3].map((i) => ev(`E${i}`, undefined, i)),
      { limit: 2 },
    );
    expect(rows.map((r) => r.name)).toEqual(['E2', 'E3']);
  });

  it('filters by name, case-insensitively, and lists the names seen', () => {
    const rows = feed([
      ev('JOB_STATUS_CHANGE', { id: 'a', status: 'created' }, 0),
      ev('BLOCK_JOB_READY', { device: 'a' }, 1),
      ev('RESUME', undefined, 2),
    ]);
    expect(filterRows(rows, { text: 'block_job' }).map((r) => r.name)).toEqual(['BLOCK_JOB_READY']);
    expect(filterRows(rows, { text: '  ' })).toHaveLength(3);
    expect(eventNames(rows)).toEqual(['BLOCK_JOB_READY', 'JOB_STATUS_CHANGE', 'RESUME']);
  });

  it("finds a job by its id in the events' data, and leaves out command notices unless asked", () => {
    const rows = feed([
      ev('JOB_STATUS_CHANGE', { id: 'mirror-data', status: 'running' }, 0),
      ev('X_BLOCKSCOPE_COMMAND_DONE', { command: 'blockdev-mirror', id: 'mirror-data' }, 1),
      ev('BLOCK_JOB_READY', { device: 'mirror-data', len: 1 }, 2),
      ev('BLOCK_JOB_READY', { device: 'backup-vdb', len: 1 }, 3),
    ]);
    expect(filterRows(rows, { text: 'Mirror-Data' }).map((r) => r.seq)).toEqual([0, 2]);
    expect(
      filterRows(rows, { text: 'mirror-data', commandNotices: true }).map((r) => r.seq),
    ).toEqual([0, 1, 2]);
    expect(filterRows(rows, { text: '' }).map((r) => r.seq)).toEqual([0, 2, 3]);
    expect(filterRows(rows, { text: '', commandNotices: true })).toHaveLength(4);
  });
});

describe('commandSentence', () => {
  it('says the command, who ran it and on what', () => {
    expect(
      commandSentence({ command: 'block-job-cancel', role: 'operator', device: 'mirror-data' }),
    ).toBe('block-job-cancel by operator, job mirror-data');
    expect(
      commandSentence({ command: 'blockdev-mirror', role: 'admin', 'job-id': 'm', device: 'data' }),
    ).toBe('blockdev-mirror by admin, job m, device data');
    expect(commandSentence({ command: 'stop' })).toBe('stop');
    expect(commandSentence(undefined)).toBe('a command');
  });
});
