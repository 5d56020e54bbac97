import { describe, expect, it } from 'vitest';
import { CreateTargets } from './create-targets.ts';

const file = {
  'job-id': 'c-file',
  options: { driver: 'file', filename: '/images/new.qcow2', size: 0 },
};
const format = {
  'job-id': 'c-fmt',
  options: { driver: 'qcow2', file: 'new-file', size: 16777216, 'cluster-size': 65536 },
};
const listed = (...ids: string[]) => ids.map((id) => ({ id, type: 'create', status: 'running' }));
const nullEvent = (id: string) => ({
  event: 'JOB_STATUS_CHANGE',
  data: { id, status: 'null' },
  timestamp: { seconds: 0, microseconds: 0 },
});

describe('CreateTargets', () => {
  it('says what each listed creation job creates: a file, or a format on a node', () => {
    const targets = new CreateTargets();
    targets.sent('blockdev-create', file);
    targets.sent('blockdev-create', format);
    expect(targets.forJobs(listed('c-file', 'c-fmt', 'm1'))).toEqual({
      'c-file': { driver: 'file', filename: '/images/new.qcow2', size: 0 },
      'c-fmt': { driver: 'qcow2', node: 'new-file', size: 16777216 },
    });
    // Only jobs QEMU still lists.
    expect(targets.forJobs(listed('c-fmt'))).toEqual({
      'c-fmt': { driver: 'qcow2', node: 'new-file', size: 16777216 },
    });
  });

  it('forgets a job when QEMU does, when it was refused, and on disconnect', () => {
    const targets = new CreateTargets();
    targets.sent('blockdev-create', file);
    targets.sent('blockdev-create', format);
    targets.event(nullEvent('c-file'));
    targets.refused('blockdev-create', format);
    expect(targets.forJobs(listed('c-file', 'c-fmt'))).toEqual({});
    targets.sent('blockdev-create', file);
    targets.reset();
    expect(targets.forJobs(listed('c-file'))).toEqual({});
  });

  it('keeps the job that has the id when a second create with that id is refused', () => {
    const targets = new CreateTargets();
    targets.sent('blockdev-create', file);
    const again = { 'job-id': 'c-file', options: { driver: 'file', filename: '/x', size: 0 } };
    targets.sent('blockdev-create', again);
    targets.refused('blockdev-create', again);
    expect(targets.forJobs(listed('c-file'))).toEqual({
      'c-file': { driver: 'file', filename: '/images/new.qcow2', size: 0 },
    });
  });

  it('ignores other commands and malformed arguments', () => {
    const targets = new CreateTargets();
    targets.sent('blockdev-add', { 'job-id': 'x', options: { driver: 'file' } });
    targets.sent('blockdev-create', { 'job-id': 'y', options: 'nope' });
    targets.sent('blockdev-create', { options: { driver: 'file' } });
    expect(targets.forJobs(listed('x', 'y'))).toEqual({});
    expect(targets.forJobs(null)).toEqual({});
  });
});
