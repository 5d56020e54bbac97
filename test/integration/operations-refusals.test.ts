// Refused input changes nothing: a non-root source and a duplicate job id are refused by the
// plan before any command is sent; a target locked by another process is refused by QEMU at
// the first step, reported with a hint, and leaves the graph as it was.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createImage, startTestQemu, type TestQemu } from '../harness/qemu.ts';
import { planBackup } from '../../src/features/operations/plans/backup.ts';
import { planCommit } from '../../src/features/operations/plans/commit.ts';
import { defaultMirrorInput, planMirror } from '../../src/features/operations/plans/mirror.ts';
import {
  planGroupAttach,
  planGroupCreate,
} from '../../src/features/operations/plans/throttle-group.ts';
import { runPlan } from '../../src/features/operations/run-plan.ts';
import { lookedUp } from '../fixtures/operations/look-up.ts';
import {
  expectPlan,
  nodeNames,
  runOk,
  startOpsQemu,
  waitJob,
  type OpsQemu,
} from '../fixtures/operations/vm.ts';

let ops: OpsQemu | undefined;
let holder: TestQemu | undefined;
afterEach(async () => {
  await ops?.stop();
  await holder?.stop();
  ops = undefined;
  holder = undefined;
});

describe('refused operations', () => {
  it('refuses a source that is not a root node and names the one to use', async () => {
    ops = await startOpsQemu();
    const live = await ops.live();
    const mid = planMirror(live, { ...defaultMirrorInput(live, 'mid'), source: 'mid' });
    expect(mid.ok).toBe(false);
    expect(!mid.ok && mid.problems[0]?.message).toMatch(
      /Need a root block node: 'mid' has 'top' above it/,
    );
    const commit = planCommit(live, { device: 'mid', top: 'mid', base: 'base', jobId: 'c' });
    expect(!commit.ok && commit.problems[0]?.message).toMatch(/Start from 'top'/);

    // Under a throttle filter the filter is the root to start from.
    await runOk(ops.runner, planGroupCreate(live, 'tg', { 'iops-total': 100 }));
    await runOk(
      ops.runner,
      planGroupAttach(await ops.live(), { group: 'tg', node: 'data', filterNodeName: 'thr' }),
    );
    const under = planBackup(await ops.live(), {
      source: 'data',
      jobId: 'b',
      sync: 'full',
      target: { kind: 'new-image', path: join(ops.dir, 'b.raw'), format: 'raw', nodeName: 'b' },
    });
    expect(!under.ok && under.problems[0]?.message).toMatch(/Start from 'thr'/);
  });

  it('refuses a job id that a concluded job still holds, and sends nothing', async () => {
    ops = await startOpsQemu();
    await runOk(
      ops.runner,
      planBackup(await ops.live(), {
        source: 'top',
        jobId: 'job1',
        sync: 'full',
        target: {
          kind: 'new-image',
          path: join(ops.dir, 'one.qcow2'),
          format: 'qcow2',
          nodeName: 'one',
          lookup: await lookedUp(ops.dir, join(ops.dir, 'one.qcow2')),
        },
      }),
    );
    await waitJob(ops.runner, 'job1', ['concluded']);
    const before = await nodeNames(ops.qemu.direct);
    const live = await ops.live();
    const again = planMirror(live, { ...defaultMirrorInput(live, 'top'), jobId: 'job1' });
    expect(again.ok).toBe(false);
    expect(!again.ok && again.problems[0]).toMatchObject({
      field: 'job-id',
      message: expect.stringMatching(
        /already in use by a backup job \(concluded\).*dismiss/,
      ) as unknown,
    });
    expect(await nodeNames(ops.qemu.direct)).toEqual(before);
  });

  it('reports a target locked by another process and leaves the graph unchanged', async () => {
    ops = await startOpsQemu();
    const locked = join(ops.dir, 'locked.qcow2');
    await createImage({ path: locked, format: 'qcow2', size: 16 * 1024 * 1024 });
    holder = await startTestQemu({
      kind: 'storage-daemon',
      args: [
        '--blockdev',
        JSON.stringify({
          driver: 'qcow2',
          'node-name': 'held',
          file: { driver: 'file', filename: locked },
        }),
      ],
    });
    const before = await nodeNames(ops.qemu.direct);
    const plan = expectPlan(
      planMirror(await ops.live(), {
        source: 'top',
        jobId: 'm-locked',
        sync: 'full',
        target: { kind: 'existing-file', path: locked, format: 'qcow2', nodeName: 'lk' },
      }),
    );
    const outcome = await runPlan(ops.runner, plan);
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.failure.index).toBe(0);
    expect(outcome.failure.message).toMatch(/Failed to get "write" lock/);
    expect(outcome.failure.hint).toMatch(/Another user holds this image/);
    expect(await nodeNames(ops.qemu.direct)).toEqual(before);
    expect(await ops.qemu.direct.execute('query-jobs')).toEqual([]);
  });

  it('undoes the nodes it added when the job itself is refused', async () => {
    ops = await startOpsQemu();
    const before = await nodeNames(ops.qemu.direct);
    const live = await ops.live();
    const plan = expectPlan(
      planMirror(live, {
        source: 'top',
        jobId: 'm-race',
        sync: 'full',
        target: {
          kind: 'new-image',
          path: join(ops.dir, 'race.qcow2'),
          format: 'qcow2',
          nodeName: 'race',
          lookup: await lookedUp(ops.dir, join(ops.dir, 'race.qcow2')),
        },
      }),
    );
    // Another client takes the job id between planning and running: a creation job that
    // stays concluded until dismissed holds it.
    await ops.qemu.direct.execute('blockdev-create', {
      'job-id': 'm-race',
      options: { driver: 'file', filename: join(ops.dir, 'other.raw'), size: 0 },
    });
    await waitJob(ops.qemu.direct, 'm-race', ['concluded']);
    const outcome = await runPlan(ops.runner, plan, { pollMs: 50 });
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.failure.step.command).toBe('blockdev-mirror');
    expect(outcome.failure.message).toBe("Job ID 'm-race' already in use");
    expect(outcome.failure.undoErrors).toEqual([]);
    expect(await nodeNames(ops.qemu.direct)).toEqual(before);
  });
});
