// The Jobs panel's pure parts against a real QEMU: a speed-limited mirror measured with the
// panel's rate estimator, QEMU's verb table checked against the controls the panel offers, and
// the real event sequence folded into the timeline.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QemuBlockJobInfo, QemuJobInfo } from '../../src/api/jobs-queries.ts';
import { joinJobs, type JobRow } from '../../src/features/jobs/job-model.ts';
import { estimateRate, addSample, type ProgressSample } from '../../src/features/jobs/job-rate.ts';
import { reduceTimeline, type Timeline } from '../../src/features/jobs/job-timeline.ts';
import {
  jobCommandsFromSchema,
  jobControls,
  verbAllowed,
  type JobCommands,
} from '../../src/features/jobs/job-verbs.ts';
import { jobEndsFromGraph } from '../../src/features/jobs/job-graph-links.ts';
import type { QmpEvent } from '../../src/qmp/wire.ts';
import { createImage, startTestQemu, writePatterns, type TestQemu } from '../harness/qemu.ts';

const MiB = 1024 * 1024;
let qemu: TestQemu;
let commands: JobCommands;

beforeAll(async () => {
  qemu = await startTestQemu({
    prepare: async (dir) => {
      await createImage({ path: join(dir, 'src.qcow2'), format: 'qcow2', size: '24M' });
      await writePatterns(join(dir, 'src.qcow2'), 'qcow2', [
        { offset: 0, length: '24M', pattern: 0x3c },
      ]);
      await createImage({ path: join(dir, 'dst.qcow2'), format: 'qcow2', size: '24M' });
    },
    args: (dir) => [
      '-blockdev',
      `qcow2,node-name=src,file.driver=file,file.filename=${join(dir, 'src.qcow2')}`,
      '-device',
      'virtio-blk-pci,id=vd0,drive=src',
      '-blockdev',
      `qcow2,node-name=dst,file.driver=file,file.filename=${join(dir, 'dst.qcow2')}`,
    ],
  });
  commands = jobCommandsFromSchema(await qemu.direct.execute('query-qmp-schema'));
});
afterAll(() => qemu?.stop());

async function read(): Promise<JobRow[]> {
  const jobs = await qemu.direct.execute<QemuJobInfo[]>('query-jobs');
  const blockJobs = await qemu.direct.execute<QemuBlockJobInfo[]>('query-block-jobs');
  return joinJobs({ jobs, 'block-jobs': blockJobs });
}

/** Sends what the panel would send for `key`; resolves with QEMU's refusal text or null. */
async function press(job: JobRow, key: string): Promise<string | null> {
  const control = jobControls(job, commands).find((c) => c.key === key);
  if (!control) throw new Error(`the panel offers no ${key} for a ${job.status} job`);
  await qemu.direct.execute(control.command, control.args);
  return null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a speed-limited mirror on a real QEMU', () => {
  it('is measured at a plausible rate, offers exactly the verbs QEMU accepts, and folds into a timeline', async () => {
    expect(commands.has('job-complete')).toBe(true);
    expect(commands.has('block-job-set-speed')).toBe(true);
    const speed = 4 * MiB;
    await qemu.direct.execute('blockdev-mirror', {
      'job-id': 'm1',
      device: 'src',
      target: 'dst',
      sync: 'full',
      speed,
      'buf-size': 1 * MiB,
      'auto-finalize': false,
      'auto-dismiss': false,
    });

    // QEMU 8.2+ also offers switching a (background) mirror to write-blocking.
    const change = commands.has('block-job-change') ? ['write-blocking'] : [];
    const first = (await read()).find((r) => r.id === 'm1')!;
    expect(first.status).toBe('running');
    // While running: complete/finalize/dismiss are not offered, and QEMU indeed refuses them.
    expect(jobControls(first, commands).map((c) => c.key)).toEqual(['pause', 'cancel', ...change]);
    for (const verb of ['complete', 'finalize', 'dismiss'] as const) {
      expect(verbAllowed(verb, 'running')).toBe(false);
      await expect(qemu.direct.execute(`job-${verb}`, { id: 'm1' })).rejects.toThrow(
        /cannot accept command verb/,
      );
    }

    // Sample as the panel does while it runs.
    let samples: ProgressSample[] = [];
    let running: JobRow | undefined;
    for (let i = 0; i < 40; i++) {
      const row = (await read()).find((r) => r.id === 'm1')!;
      if (row.status !== 'running') break;
      running = row;
      samples = addSample(samples, { t: Date.now(), current: row.current, total: row.total });
      await sleep(250);
    }
    expect(running).toBeDefined();
    const estimate = estimateRate(samples, { speed: running!.speed });
    expect(estimate.rate).toBeDefined();
    expect(estimate.rate!).toBeLessThanOrEqual(speed);
    expect(estimate.rate!).toBeGreaterThan(speed / 2);

    await qemu.direct.waitForEvent((e) => e.event === 'BLOCK_JOB_READY');
    const graph = jobEndsFromGraph(await qemu.direct.execute('x-debug-query-block-graph'));
    expect(graph.get('m1')).toEqual({ source: 'src', target: 'dst' });

    let ready = (await read()).find((r) => r.id === 'm1')!;
    expect(ready.status).toBe('ready');
    expect(jobControls(ready, commands).map((c) => c.key)).toEqual([
      'complete',
      'pause',
      'finish-keep-source',
      'cancel',
      ...change,
    ]);
    // Pause in READY gives standby, where the panel offers resume; both go through.
    await press(ready, 'pause');
    await qemu.direct.waitForEvent((e) => e.data?.status === 'standby');
    ready = (await read()).find((r) => r.id === 'm1')!;
    expect(ready.status).toBe('standby');
    await press(ready, 'resume');
    await qemu.direct.waitForEvent(
      (e) =>
        e.event === 'JOB_STATUS_CHANGE' &&
        e.data?.status === 'ready' &&
        qemu.direct.events.some((x) => x.data?.status === 'standby'),
    );
    ready = (await read()).find((r) => r.id === 'm1')!;
    await press(ready, 'complete');
    await qemu.direct.waitForEvent((e) => e.event === 'BLOCK_JOB_PENDING');
    const pending = (await read()).find((r) => r.id === 'm1')!;
    expect(jobControls(pending, commands).map((c) => c.key)).toEqual(['finalize', 'cancel']);
    await press(pending, 'finalize');
    await qemu.direct.waitForEvent((e) => e.data?.status === 'concluded');
    const concluded = (await read()).find((r) => r.id === 'm1')!;
    expect(jobControls(concluded, commands).map((c) => c.key)).toEqual(['dismiss']);
    await press(concluded, 'dismiss');
    await qemu.direct.waitForEvent((e) => e.data?.status === 'null');
    expect(await read()).toEqual([]);

    // The device switched over to the target.
    const blocks =
      await qemu.direct.execute<{ inserted?: { 'node-name': string } }[]>('query-block');
    expect(blocks[0]?.inserted?.['node-name']).toBe('dst');

    // The real event stream gives the whole story in order.
    const timeline = (qemu.direct.events as unknown as QmpEvent[]).reduce<Timeline>(
      (t, e) => reduceTimeline(t, e, Date.now()),
      {},
    );
    const h = timeline.m1!;
    expect(h.entries.filter((e) => e.kind === 'status').map((e) => e.text)).toEqual([
      'created',
      'running',
      'ready',
      'standby',
      'ready',
      'waiting',
      'pending',
      'concluded',
      'null',
    ]);
    expect(h.entries.map((e) => e.kind)).toContain('pending');
    expect(h.outcome).toBe('completed');
    expect(h.createdAt).toBeLessThan(h.endedAt!);
  });
});

describe('copy mode', () => {
  // Both branches run in the matrix: QEMU 7.2 lacks block-job-change, 10.0 has it.
  it('offers write-blocking exactly where the schema has block-job-change, and the switch works', async () => {
    const running = await rowAfterStart();
    const offered = jobControls(running, commands).some((c) => c.key === 'write-blocking');
    expect(offered).toBe(commands.has('block-job-change'));
    if (offered) {
      await press(running, 'write-blocking');
      await qemu.direct.waitForEvent(
        (e) => e.event === 'BLOCK_JOB_READY' && e.data?.device === 'm2',
      );
      const ready = (await read()).find((r) => r.id === 'm2')!;
      expect(ready.activelySynced).toBe(true);
      expect(jobControls(ready, commands).map((c) => c.key)).not.toContain('write-blocking');
    }
    await qemu.direct.execute('job-cancel', { id: 'm2' });
    await qemu.direct.waitForEvent((e) => e.data?.id === 'm2' && e.data?.status === 'null');
  });
});

/** A second mirror, from the copy back to a fresh node, running slowly. */
async function rowAfterStart(): Promise<JobRow> {
  await createImage({ path: join(qemu.dir, 'again.qcow2'), format: 'qcow2', size: '24M' });
  await qemu.direct.execute('blockdev-add', {
    driver: 'qcow2',
    'node-name': 'again',
    file: { driver: 'file', filename: join(qemu.dir, 'again.qcow2') },
  });
  await qemu.direct.execute('blockdev-mirror', {
    'job-id': 'm2',
    device: 'dst',
    target: 'again',
    sync: 'full',
    speed: 8 * MiB,
  });
  return (await read()).find((r) => r.id === 'm2')!;
}
