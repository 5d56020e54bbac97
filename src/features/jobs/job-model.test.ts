import { describe, expect, it } from 'vitest';
import { parseJobsSnapshot, withStatus, type JobsSnapshot } from '../../api/jobs-queries.ts';
import { joinJobs } from './job-model.ts';

// query-jobs / query-block-jobs as QEMU 7.2 answered them (qmp-domain.md §4.4, §4.2).
const SNAPSHOT: JobsSnapshot = {
  jobs: [
    {
      id: 'm1',
      type: 'mirror',
      status: 'running',
      'current-progress': 16777216,
      'total-progress': 67108864,
    },
    {
      id: 'c-fmt',
      type: 'create',
      status: 'concluded',
      'current-progress': 1,
      'total-progress': 1,
      error: 'Image size must be a multiple of 512 bytes',
    },
  ],
  'block-jobs': [
    {
      device: 'm1',
      type: 'mirror',
      status: 'running',
      offset: 16777216,
      len: 67108864,
      speed: 8388608,
      busy: false,
      paused: false,
      ready: false,
      'io-status': 'ok',
      'auto-finalize': true,
      'auto-dismiss': true,
    },
  ],
};

describe('joinJobs', () => {
  it('joins block-job details to query-jobs rows and keeps non-block jobs', () => {
    const rows = joinJobs(SNAPSHOT);
    expect(rows.map((r) => [r.id, r.isBlockJob, r.speed, r.current, r.total])).toEqual([
      ['m1', true, 8388608, 16777216, 67108864],
      ['c-fmt', false, undefined, 1, 1],
    ]);
    expect(rows[1]!.error).toBe('Image size must be a multiple of 512 bytes');
  });

  it('lists a block job that query-jobs did not (read between two answers)', () => {
    const rows = joinJobs({ jobs: [], 'block-jobs': SNAPSHOT['block-jobs'] });
    expect(rows.map((r) => r.id)).toEqual(['m1']);
  });
});

describe('cache patches from JOB_STATUS_CHANGE', () => {
  it('updates the status of a known job in both lists', () => {
    const next = withStatus(SNAPSHOT, 'm1', 'ready');
    expect(next.jobs[0]!.status).toBe('ready');
    expect(next['block-jobs'][0]!.status).toBe('ready');
    expect(next.jobs[0]!['current-progress']).toBe(16777216);
  });

  it('adds a job first seen through its event and removes it at null', () => {
    const added = withStatus(SNAPSHOT, 'new', 'created');
    expect(added.jobs.map((j) => j.id)).toEqual(['m1', 'c-fmt', 'new']);
    const gone = withStatus(SNAPSHOT, 'm1', 'null');
    expect(joinJobs(gone).map((r) => r.id)).toEqual(['c-fmt']);
  });

  it('parses the proxy event payload and rejects anything else', () => {
    expect(
      parseJobsSnapshot({ jobs: SNAPSHOT.jobs, 'block-jobs': SNAPSHOT['block-jobs'] }),
    ).toEqual(SNAPSHOT);
    expect(parseJobsSnapshot({ jobs: [] })).toBeNull();
    expect(parseJobsSnapshot(null)).toBeNull();
    expect(parseJobsSnapshot({ jobs: [{ nope: 1 }], 'block-jobs': [] })).toEqual({
      jobs: [],
      'block-jobs': [],
    });
  });
});
