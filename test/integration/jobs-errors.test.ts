// Failing jobs on a real QEMU, errors injected with blkdebug (qemu-captures/job-error-log.txt):
// what the panel's model, controls, timeline and event log make of QEMU's real output.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QemuBlockJobInfo, QemuJobInfo } from '../../src/api/jobs-queries.ts';
import { appendEvent, type EventRow } from '../../src/features/events/event-coalesce.ts';
import { statusWords } from '../../src/features/jobs/job-format.ts';
import { joinJobs, type JobRow } from '../../src/features/jobs/job-model.ts';
import { reduceTimeline, type Timeline } from '../../src/features/jobs/job-timeline.ts';
import {
  jobCommandsFromSchema,
  jobControls,
  type JobCommands,
} from '../../src/features/jobs/job-verbs.ts';
import type { QmpEvent } from '../../src/qmp/wire.ts';
import { createImage, startTestQemu, writePatterns, type TestQemu } from '../harness/qemu.ts';

let qemu: TestQemu;
let commands: JobCommands;

beforeAll(async () => {
  qemu = await startTestQemu({
    prepare: async (dir) => {
      await createImage({ path: join(dir, 'src.qcow2'), format: 'qcow2', size: '16M' });
      await writePatterns(join(dir, 'src.qcow2'), 'qcow2', [
        { offset: 0, length: '16M', pattern: 0x5a },
      ]);
      for (const name of ['stop', 'nospc', 'bk']) {
        await createImage({ path: join(dir, `${name}.qcow2`), format: 'qcow2', size: '16M' });
      }
    },
    args: (dir) => [
      '-blockdev',
      `qcow2,node-name=src,file.driver=file,file.filename=${join(dir, 'src.qcow2')}`,
      '-device',
      'virtio-blk-pci,id=vd0,drive=src',
    ],
  });
  commands = jobCommandsFromSchema(await qemu.direct.execute('query-qmp-schema'));
});
afterAll(() => qemu?.stop());

async function row(id: string): Promise<JobRow | undefined> {
  const jobs = await qemu.direct.execute<QemuJobInfo[]>('query-jobs');
  const blockJobs = await qemu.direct.execute<QemuBlockJobInfo[]>('query-block-jobs');
  return joinJobs({ jobs, 'block-jobs': blockJobs }).find((r) => r.id === id);
}

function faultyTarget(name: string, errno: number, once: boolean) {
  return qemu.direct.execute('blockdev-add', {
    driver: 'qcow2',
    'node-name': name,
    file: {
      driver: 'blkdebug',
      'inject-error': [{ event: 'write_aio', errno, once }],
      image: { driver: 'file', filename: join(qemu.dir, `${name}.qcow2`) },
    },
  });
}

const events = () => qemu.direct.events as unknown as QmpEvent[];
const jobEvents = (id: string) =>
  events().filter((e) => e.data?.id === id || e.data?.device === id);

describe('failing jobs', () => {
  it('shows a job stopped by an I/O error as paused by it, and resumes it', async () => {
    await faultyTarget('stop', 5, true);
    await qemu.direct.execute('blockdev-mirror', {
      'job-id': 'mStop',
      device: 'src',
      target: 'stop',
      sync: 'full',
      'on-target-error': 'stop',
    });
    await qemu.direct.waitForEvent(
      (e) => e.event === 'BLOCK_JOB_ERROR' && e.data?.device === 'mStop',
    );
    await qemu.direct.waitForEvent((e) => e.data?.id === 'mStop' && e.data?.status === 'paused');
    const paused = (await row('mStop'))!;
    expect(paused.ioStatus).toBe('failed');
    expect(statusWords(paused.status, paused.ioStatus)).toBe('Paused by I/O error (failed)');
    const resume = jobControls(paused, commands).find((c) => c.key === 'resume')!;
    await qemu.direct.execute(resume.command, resume.args);
    await qemu.direct.waitForEvent(
      (e) => e.event === 'BLOCK_JOB_READY' && e.data?.device === 'mStop',
    );
    const cancel = jobControls((await row('mStop'))!, commands).find((c) => c.key === 'cancel')!;
    await qemu.direct.execute(cancel.command, cancel.args);
    await qemu.direct.waitForEvent(
      (e) => e.event === 'BLOCK_JOB_CANCELLED' && e.data?.device === 'mStop',
    );
    const h = jobEvents('mStop').reduce<Timeline>((t, e) => reduceTimeline(t, e, 0), {}).mStop!;
    expect(h.errors).toEqual(['write error, action stop']);
    expect(h.outcome).toBe('cancelled');
  });

  it("keeps QEMU's error text for a mirror whose target runs out of space, and coalesces the burst", async () => {
    await faultyTarget('nospc', 28, false);
    await qemu.direct.execute('blockdev-mirror', {
      'job-id': 'mNospc',
      device: 'src',
      target: 'nospc',
      sync: 'full',
      'auto-dismiss': false,
    });
    await qemu.direct.waitForEvent(
      (e) => e.data?.id === 'mNospc' && e.data?.status === 'concluded',
    );
    const failed = (await row('mNospc'))!;
    expect(failed.error).toBe('No space left on device');
    expect(statusWords(failed.status, failed.ioStatus, failed.error)).toBe('Failed');
    expect(jobControls(failed, commands).map((c) => c.key)).toEqual(['dismiss']);

    const seen = jobEvents('mNospc');
    const errorCount = seen.filter((e) => e.event === 'BLOCK_JOB_ERROR').length;
    expect(errorCount).toBeGreaterThan(1);
    let rows: EventRow[] = [];
    seen.forEach((e, i) => (rows = appendEvent(rows, e, Date.now(), i)));
    const errorRows = rows.filter((r) => r.name === 'BLOCK_JOB_ERROR');
    expect(errorRows).toHaveLength(1);
    expect(errorRows[0]!.count).toBe(errorCount);

    let timeline = seen.reduce<Timeline>((t, e) => reduceTimeline(t, e, 0), {});
    expect(timeline.mNospc).toMatchObject({
      outcome: 'failed',
      errorText: 'No space left on device',
    });
    expect(timeline.mNospc!.endedAt).toBeUndefined();

    const dismiss = jobControls(failed, commands)[0]!;
    await qemu.direct.execute(dismiss.command, dismiss.args);
    await qemu.direct.waitForEvent((e) => e.data?.id === 'mNospc' && e.data?.status === 'null');
    timeline = jobEvents('mNospc').reduce<Timeline>((t, e) => reduceTimeline(t, e, 0), {});
    expect(timeline.mNospc!.endedAt).toBeDefined();
    expect(await row('mNospc')).toBeUndefined();
  });

  it('lists a failed blockdev-create job from query-jobs only, with its error and a job-dismiss', async () => {
    await qemu.direct.execute('blockdev-create', {
      'job-id': 'cBad',
      options: { driver: 'file', filename: join(qemu.dir, 'created.raw'), size: 0 },
    });
    await qemu.direct.execute('blockdev-add', {
      driver: 'file',
      'node-name': 'created',
      filename: join(qemu.dir, 'created.raw'),
    });
    await qemu.direct.execute('blockdev-create', {
      'job-id': 'cFmt',
      options: { driver: 'qcow2', file: 'created', size: 1000 },
    });
    await qemu.direct.waitForEvent((e) => e.data?.id === 'cFmt' && e.data?.status === 'concluded');
    const created = (await row('cFmt'))!;
    expect(created).toMatchObject({ type: 'create', isBlockJob: false });
    expect(created.error).toMatch(/multiple of 512/);
    expect(jobControls(created, commands)).toMatchObject([
      { command: 'job-dismiss', args: { id: 'cFmt' } },
    ]);
    for (const id of ['cBad', 'cFmt']) await qemu.direct.execute('job-dismiss', { id });
  });

  it('records a cancel while running as cancelled, with progress short of the total', async () => {
    await qemu.direct.execute('blockdev-add', {
      driver: 'qcow2',
      'node-name': 'bk',
      file: { driver: 'file', filename: join(qemu.dir, 'bk.qcow2') },
    });
    await qemu.direct.execute('blockdev-backup', {
      'job-id': 'b1',
      device: 'src',
      target: 'bk',
      sync: 'full',
      speed: 1024 * 1024,
    });
    await qemu.direct.waitForEvent((e) => e.data?.id === 'b1' && e.data?.status === 'running');
    const running = (await row('b1'))!;
    expect(jobControls(running, commands).map((c) => c.key)).toContain('cancel');
    const cancel = jobControls(running, commands).find((c) => c.key === 'cancel')!;
    await qemu.direct.execute(cancel.command, cancel.args);
    const done = await qemu.direct.waitForEvent(
      (e) => e.event === 'BLOCK_JOB_CANCELLED' && e.data?.device === 'b1',
    );
    expect(Number(done.data?.offset)).toBeLessThan(Number(done.data?.len));
    const h = jobEvents('b1').reduce<Timeline>((t, e) => reduceTimeline(t, e, 0), {}).b1!;
    expect(h.outcome).toBe('cancelled');
    expect(h.entries.some((e) => e.kind === 'ready')).toBe(false);
  });
});
