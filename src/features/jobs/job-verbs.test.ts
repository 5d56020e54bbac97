import { describe, expect, it } from 'vitest';
import type { JobRow } from './job-model.ts';
import { jobCommandsFromSchema, jobControls, setSpeedCommand, verbAllowed } from './job-verbs.ts';

function row(partial: Partial<JobRow>): JobRow {
  return {
    id: 'm1',
    type: 'mirror',
    status: 'running',
    current: 0,
    total: 0,
    speed: 0,
    isBlockJob: true,
    paused: false,
    ioStatus: 'ok',
    autoFinalize: true,
    autoDismiss: true,
    activelySynced: undefined,
    error: undefined,
    ...partial,
  };
}

const ALL_72 = jobCommandsFromSchema(
  ['job-pause', 'job-resume', 'job-cancel', 'job-complete', 'job-finalize', 'job-dismiss']
    .concat(['block-job-cancel', 'block-job-set-speed', 'block-job-pause', 'block-job-resume'])
    .concat(['block-job-complete', 'block-job-finalize', 'block-job-dismiss'])
    .map((name) => ({ name, 'meta-type': 'command' })),
);
const BLOCK_ONLY = jobCommandsFromSchema(
  ['block-job-cancel', 'block-job-pause', 'block-job-resume', 'block-job-complete'].map((name) => ({
    name,
    'meta-type': 'command',
  })),
);
const keys = (job: JobRow, commands = ALL_72) => jobControls(job, commands).map((c) => c.key);

describe('verb table (job.c JobVerbTable)', () => {
  it('allows exactly what QEMU allows', () => {
    expect(verbAllowed('complete', 'running')).toBe(false); // "cannot accept command verb 'complete'"
    expect(verbAllowed('complete', 'ready')).toBe(true);
    expect(verbAllowed('complete', 'standby')).toBe(true);
    expect(verbAllowed('dismiss', 'pending')).toBe(false);
    expect(verbAllowed('dismiss', 'concluded')).toBe(true);
    expect(verbAllowed('finalize', 'pending')).toBe(true);
    expect(verbAllowed('cancel', 'concluded')).toBe(false);
    expect(verbAllowed('cancel', 'aborting')).toBe(false);
    expect(verbAllowed('set-speed', 'waiting')).toBe(false);
  });
});

describe('controls per state', () => {
  it('offers pause and cancel while running, resume while paused', () => {
    expect(keys(row({ status: 'running' }))).toEqual(['pause', 'cancel']);
    expect(keys(row({ status: 'paused', paused: true }))).toEqual(['resume', 'cancel']);
  });

  it('offers complete, keep-source finish and forced cancel on a ready mirror', () => {
    const controls = jobControls(row({ status: 'ready' }), ALL_72);
    expect(controls.map((c) => c.key)).toEqual([
      'complete',
      'pause',
      'finish-keep-source',
      'cancel',
    ]);
    const byKey = Object.fromEntries(controls.map((c) => [c.key, c]));
    expect(byKey.complete).toMatchObject({ command: 'job-complete', args: { id: 'm1' } });
    expect(byKey['finish-keep-source']).toMatchObject({
      command: 'block-job-cancel',
      args: { device: 'm1', force: false },
    });
    expect(byKey.cancel).toMatchObject({ command: 'job-cancel', args: { id: 'm1' } });
  });

  it('offers resume and complete in standby (a paused ready job)', () => {
    expect(keys(row({ status: 'standby', paused: true }))).toEqual([
      'complete',
      'resume',
      'finish-keep-source',
      'cancel',
    ]);
  });

  it('offers finalize and cancel in pending, only dismiss when concluded, nothing when aborting', () => {
    expect(keys(row({ status: 'pending' }))).toEqual(['finalize', 'cancel']);
    expect(keys(row({ status: 'concluded' }))).toEqual(['dismiss']);
    expect(keys(row({ status: 'aborting' }))).toEqual([]);
    expect(keys(row({ status: 'waiting' }))).toEqual(['cancel']);
  });

  it('controls blockdev-create jobs only through job-* (they are not block jobs)', () => {
    const create = row({ id: 'c1', type: 'create', isBlockJob: false, status: 'concluded' });
    expect(jobControls(create, ALL_72)).toMatchObject([
      { key: 'dismiss', command: 'job-dismiss', args: { id: 'c1' } },
    ]);
    expect(jobControls(create, BLOCK_ONLY)).toEqual([]);
  });

  it('falls back to block-job-* with device when job-* is missing', () => {
    const controls = jobControls(row({ status: 'ready' }), BLOCK_ONLY);
    expect(controls.find((c) => c.key === 'complete')).toMatchObject({
      command: 'block-job-complete',
      args: { device: 'm1' },
    });
    expect(controls.find((c) => c.key === 'cancel')).toMatchObject({
      command: 'block-job-cancel',
      args: { device: 'm1', force: true },
    });
  });

  it('offers write-blocking copy mode for mirrors only where block-job-change exists (8.2+)', () => {
    const with82 = jobCommandsFromSchema(
      ['job-cancel', 'job-pause', 'block-job-change'].map((name) => ({
        name,
        'meta-type': 'command',
      })),
    );
    expect(jobControls(row({ status: 'running' }), with82).map((c) => c.key)).toEqual([
      'pause',
      'cancel',
      'write-blocking',
    ]);
    expect(jobControls(row({ status: 'running' }), with82).at(-1)).toMatchObject({
      command: 'block-job-change',
      args: { id: 'm1', type: 'mirror', 'copy-mode': 'write-blocking' },
    });
    expect(keys(row({ status: 'running', activelySynced: true }), with82)).not.toContain(
      'write-blocking',
    );
    expect(keys(row({ status: 'running', type: 'backup' }), with82)).not.toContain(
      'write-blocking',
    );
    expect(keys(row({ status: 'running' }))).not.toContain('write-blocking'); // 7.2
  });

  it('changes speed only for block jobs in states that accept set-speed', () => {
    expect(setSpeedCommand(row({ status: 'running' }), ALL_72, 4 * 1024 * 1024)).toEqual({
      command: 'block-job-set-speed',
      args: { device: 'm1', speed: 4194304 },
    });
    expect(setSpeedCommand(row({ status: 'pending' }), ALL_72, 1)).toBeNull();
    expect(setSpeedCommand(row({ isBlockJob: false }), ALL_72, 1)).toBeNull();
  });
});

describe('feature detection from query-qmp-schema', () => {
  it('reads only command entries', () => {
    const commands = jobCommandsFromSchema([
      { name: 'job-pause', 'meta-type': 'command' },
      { name: 'JOB_STATUS_CHANGE', 'meta-type': 'event' },
      'garbage',
    ]);
    expect(commands.has('job-pause')).toBe(true);
    expect(commands.has('JOB_STATUS_CHANGE')).toBe(false);
  });
});
