import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import { ProxyEvent, type JsonObject, type QmpEvent } from '../qmp/wire.ts';
import { applyJobsEvent, createTargetsKey, jobsKey, type JobsData } from './jobs-queries.ts';

const at = { seconds: 1_795_318_000, microseconds: 0 };
const ev = (event: string, data: JsonObject): QmpEvent => ({ event, data, timestamp: at });
const listKey = [...jobsKey('demo'), 'list'];

describe('applyJobsEvent', () => {
  it("writes the proxy's shared poll into the cache as QEMU's answer", () => {
    const qc = new QueryClient();
    const jobs = [
      { id: 'm1', type: 'mirror', status: 'running', 'current-progress': 1, 'total-progress': 2 },
    ];
    expect(applyJobsEvent(qc, 'demo', ev(ProxyEvent.Jobs, { jobs, 'block-jobs': [] }))).toBe(true);
    const data = qc.getQueryData<JobsData>(listKey);
    expect(data?.source).toBe('proxy');
    expect(data?.snapshot.jobs).toEqual(jobs);
  });

  it('keeps what the proxy says each creation job creates, dropping malformed entries', () => {
    const qc = new QueryClient();
    const jobs = [
      { id: 'c1', type: 'create', status: 'running', 'current-progress': 0, 'total-progress': 1 },
    ];
    const creates = {
      c1: { driver: 'file', filename: '/images/new.qcow2', size: 0 },
      c2: { driver: 'qcow2', node: 'new-file', size: 16777216 },
      bad: { filename: '/x' },
    };
    applyJobsEvent(qc, 'demo', ev(ProxyEvent.Jobs, { jobs, 'block-jobs': [], creates }));
    expect(qc.getQueryData(createTargetsKey('demo'))).toEqual({
      c1: { driver: 'file', filename: '/images/new.qcow2', node: undefined, size: 0 },
      c2: { driver: 'qcow2', filename: undefined, node: 'new-file', size: 16777216 },
    });
    // A proxy without the member: nothing is known.
    applyJobsEvent(qc, 'demo', ev(ProxyEvent.Jobs, { jobs, 'block-jobs': [] }));
    expect(qc.getQueryData(createTargetsKey('demo'))).toEqual({});
  });

  it("takes BLOCK_JOB_READY's offset and len, so a ready job never shows an old percentage", () => {
    const qc = new QueryClient();
    const jobs = [
      { id: 'm1', type: 'mirror', status: 'running', 'current-progress': 31, 'total-progress': 32 },
    ];
    const blockJobs = [{ device: 'm1', type: 'mirror', offset: 31, len: 32, speed: 0 }];
    applyJobsEvent(qc, 'demo', ev(ProxyEvent.Jobs, { jobs, 'block-jobs': blockJobs }));
    applyJobsEvent(qc, 'demo', ev('JOB_STATUS_CHANGE', { id: 'm1', status: 'ready' }));
    expect(
      applyJobsEvent(
        qc,
        'demo',
        ev('BLOCK_JOB_READY', { device: 'm1', type: 'mirror', offset: 33, len: 33, speed: 0 }),
      ),
    ).toBe(true);
    const snapshot = qc.getQueryData<JobsData>(listKey)?.snapshot;
    expect(snapshot?.jobs[0]).toMatchObject({
      status: 'ready',
      'current-progress': 33,
      'total-progress': 33,
    });
    expect(snapshot?.['block-jobs'][0]).toMatchObject({ offset: 33, len: 33 });
  });

  it("patches a status at once and leaves the list to the proxy's push (no re-read)", () => {
    const qc = new QueryClient();
    applyJobsEvent(qc, 'demo', ev('JOB_STATUS_CHANGE', { id: 'm1', status: 'created' }));
    expect(qc.getQueryData<JobsData>(listKey)?.snapshot.jobs.map((j) => j.status)).toEqual([
      'created',
    ]);
    expect(qc.getQueryState(listKey)?.isInvalidated).toBe(false);
  });

  it('invalidates every jobs read, the schema too, when the proxy reconnects to QEMU', () => {
    const qc = new QueryClient();
    const commandsKey = [...jobsKey('demo'), 'commands'];
    qc.setQueryData(commandsKey, ['job-pause']);
    applyJobsEvent(qc, 'demo', ev(ProxyEvent.TargetState, { state: 'disconnected' }));
    expect(qc.getQueryState(commandsKey)?.isInvalidated).toBe(false);
    applyJobsEvent(qc, 'demo', ev(ProxyEvent.TargetState, { state: 'connected' }));
    expect(qc.getQueryState(commandsKey)?.isInvalidated).toBe(true);
  });

  it('ignores other events and malformed payloads', () => {
    const qc = new QueryClient();
    expect(applyJobsEvent(qc, 'demo', ev('RESUME', {}))).toBe(false);
    expect(applyJobsEvent(qc, 'demo', ev(ProxyEvent.Jobs, { jobs: 'x' }))).toBe(false);
    expect(qc.getQueryData(listKey)).toBeUndefined();
  });
});
