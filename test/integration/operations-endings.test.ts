// How every job-starting plan ends, against a real qemu-system: after success the file is closed,
// consistent and unlocked (qemu-img without -U) and no node is left that nobody uses; after a
// cancel at about half way, or a forced failure, the nodes, exports and bitmaps are what they
// were before the plan ran.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createImage, imageChain, writePatterns } from '../harness/qemu.ts';
import type { DirectQmp } from '../harness/direct-qmp.ts';
import { defaultBackupInput, planBackup } from '../../src/features/operations/plans/backup.ts';
import {
  defaultCommitInput,
  defaultStreamInput,
  planCommit,
  planStream,
} from '../../src/features/operations/plans/commit.ts';
import { defaultMirrorInput, planMirror } from '../../src/features/operations/plans/mirror.ts';
import { runPlan } from '../../src/features/operations/run-plan.ts';
import { lookedUp } from '../fixtures/operations/look-up.ts';
import { policed } from '../fixtures/operations/policed.ts';
import {
  checkUnlocked,
  compareUnlocked,
  expectPlan,
  flushDevice,
  runToEnd,
  startOpsQemu,
  startToEnd,
  VDA,
  waitJob,
  type OpsQemu,
} from '../fixtures/operations/vm.ts';

const MiB = 1024 * 1024;
let ops: OpsQemu | undefined;
afterEach(async () => {
  await ops?.stop();
  ops = undefined;
});

interface Snapshot {
  nodes: string[];
  bitmaps: string[];
  exports: unknown[];
}

/** What a failed or cancelled plan must leave exactly as it found it. */
async function snapshot(direct: DirectQmp): Promise<Snapshot> {
  const nodes = await direct.execute<
    { 'node-name': string; 'dirty-bitmaps'?: { name?: string }[] }[]
  >('query-named-block-nodes', { flat: true });
  return {
    nodes: nodes.map((n) => n['node-name']).sort(),
    // Jobs keep anonymous bitmaps of their own while they run; only named ones are the operator's.
    bitmaps: nodes.flatMap((n) =>
      (n['dirty-bitmaps'] ?? []).flatMap((b) => (b.name ? [`${n['node-name']}/${b.name}`] : [])),
    ),
    exports: await direct.execute('query-block-exports'),
  };
}

async function jobs(direct: DirectQmp): Promise<string[]> {
  return (await direct.execute<{ id: string }[]>('query-jobs')).map((j) => j.id);
}

/** Waits until the job has copied at least `fraction` of its work, then cancels it. */
async function cancelAt(direct: DirectQmp, id: string, fraction: number): Promise<number> {
  let done = 0;
  await expect
    .poll(
      async () => {
        const job = (
          await direct.execute<
            { id: string; 'current-progress': number; 'total-progress': number }[]
          >('query-jobs')
        ).find((j) => j.id === id);
        done =
          job && job['total-progress'] > 0 ? job['current-progress'] / job['total-progress'] : 0;
        return done;
      },
      { timeout: 20_000, interval: 50 },
    )
    .toBeGreaterThanOrEqual(fraction);
  await direct.execute('block-job-cancel', { device: id, force: true });
  return done;
}

/** vda's chain with 12 MiB of data in `top`, so a job at 2 MiB/s runs for several seconds. */
async function startBusyQemu(): Promise<OpsQemu> {
  const o = await startOpsQemu();
  await o.qemu.direct.execute('human-monitor-command', {
    'command-line': `qemu-io -d ${VDA} "write -P 0x5a 4M 12M"`,
  });
  await flushDevice(o.qemu, VDA);
  return o;
}

describe('a backup plan', () => {
  it('closes the target when it completes: consistent, unlocked, nothing left open', async () => {
    ops = await startOpsQemu();
    const before = await snapshot(ops.qemu.direct);
    const live = await ops.live();
    const path = join(ops.dir, 'full.qcow2');
    const input = defaultBackupInput(live, 'top');
    const result = await runToEnd(
      ops.runner,
      planBackup(live, {
        ...input,
        target: {
          kind: 'new-image',
          path,
          format: 'qcow2',
          nodeName: 'full',
          lookup: await lookedUp(ops.dir, path),
        },
      }),
    );
    expect(result).toMatchObject({
      ok: true,
      end: { outcome: 'succeeded', closed: ['full', 'full-file'], problems: [] },
    });
    const after = await snapshot(ops.qemu.direct);
    expect(after.nodes).toEqual(before.nodes);
    expect(after.bitmaps).toEqual(['top/top-changes']);
    expect(await jobs(ops.qemu.direct)).toEqual([]);
    // No -U: these fail if QEMU still held the backup's lock or had data unwritten.
    expect(await checkUnlocked(path)).toMatch(/No errors were found/);
    expect(await compareUnlocked(join(ops.dir, 'reference.raw'), path)).toMatch(
      /Images are identical/,
    );
  });

  it('keeps the target open when the operator asks, and says so', async () => {
    ops = await startOpsQemu();
    const live = await ops.live();
    const input = defaultBackupInput(live, 'top');
    const plan = expectPlan(
      planBackup(live, {
        ...input,
        keepTarget: true,
        target: {
          kind: 'new-image',
          path: join(ops.dir, 'kept.qcow2'),
          format: 'qcow2',
          nodeName: 'kept',
          lookup: await lookedUp(ops.dir, join(ops.dir, 'kept.qcow2')),
        },
      }),
    );
    expect(plan.end?.explanation).toMatch(/'kept' stays open as you chose/);
    const result = await runToEnd(ops.runner, { ok: true, plan });
    expect(result).toMatchObject({ ok: true, end: { outcome: 'succeeded', closed: [] } });
    expect((await snapshot(ops.qemu.direct)).nodes).toContain('kept');
  });

  it('undoes everything when cancelled half way: no bitmap, no node, the file named', async () => {
    ops = await startBusyQemu();
    const before = await snapshot(ops.qemu.direct);
    const live = await ops.live();
    const path = join(ops.dir, 'half.qcow2');
    const input = defaultBackupInput(live, 'top');
    expect(input.newBitmap?.name).toBe('top-changes');
    const { finished } = await startToEnd(
      ops.runner,
      planBackup(live, {
        ...input,
        speed: 2 * MiB,
        target: {
          kind: 'new-image',
          path,
          format: 'qcow2',
          nodeName: 'half',
          lookup: await lookedUp(ops.dir, path),
        },
      }),
    );
    // While the job runs, the bitmap it started records and the target is open.
    expect((await snapshot(ops.qemu.direct)).bitmaps).toEqual(['top/top-changes']);
    const done = await cancelAt(ops.qemu.direct, input.jobId, 0.4);
    expect(done).toBeLessThan(0.9);
    const result = await finished;
    expect(result).toMatchObject({
      ok: false,
      failure: { job: input.jobId, undoErrors: [] },
      end: { outcome: 'failed', incompleteFiles: [path] },
    });
    expect(await snapshot(ops.qemu.direct)).toEqual(before);
    expect(await jobs(ops.qemu.direct)).toEqual([]);
  });

  it('changes nothing when the target is too small (QEMU refuses the start)', async () => {
    ops = await startOpsQemu();
    const small = join(ops.dir, 'small.qcow2');
    await createImage({ path: small, format: 'qcow2', size: 8 * MiB });
    const before = await snapshot(ops.qemu.direct);
    const live = await ops.live();
    const result = await runPlan(
      policed(ops.runner),
      expectPlan(
        planBackup(live, {
          ...defaultBackupInput(live, 'top'),
          target: { kind: 'existing-file', path: small, format: 'qcow2', nodeName: 'small' },
        }),
      ),
      { pollMs: 50 },
    );
    expect(result).toMatchObject({ ok: false, failure: { message: /different sizes/ } });
    expect(await snapshot(ops.qemu.direct)).toEqual(before);
  });
});

describe('a mirror plan', () => {
  it('closes the old chain after Complete switched the disk over', async () => {
    ops = await startOpsQemu();
    const live = await ops.live();
    const path = join(ops.dir, 'copy.qcow2');
    const input = defaultMirrorInput(live, 'top');
    const { finished } = await startToEnd(
      ops.runner,
      planMirror(live, {
        ...input,
        target: {
          kind: 'new-image',
          path,
          format: 'qcow2',
          nodeName: 'copy',
          lookup: await lookedUp(ops.dir, path),
        },
      }),
    );
    await waitJob(ops.qemu.direct, input.jobId, ['ready']);
    await ops.qemu.direct.execute('job-complete', { id: input.jobId });
    const result = await finished;
    expect(result).toMatchObject({ ok: true, end: { outcome: 'succeeded', problems: [] } });
    expect(result.end?.closed).toEqual(['top', 'top-file', 'mid', 'mid-file', 'base', 'base-file']);
    expect((await snapshot(ops.qemu.direct)).nodes).toEqual([
      'copy',
      'copy-file',
      'data',
      'data-file',
    ]);
    // The old images are free again: nothing holds their locks.
    expect(await checkUnlocked(join(ops.dir, 'top.qcow2'))).toMatch(/No errors were found/);
  });

  it('undoes everything when cancelled half way', async () => {
    ops = await startBusyQemu();
    const before = await snapshot(ops.qemu.direct);
    const live = await ops.live();
    const path = join(ops.dir, 'half.qcow2');
    const input = defaultMirrorInput(live, 'top');
    const { finished } = await startToEnd(
      ops.runner,
      planMirror(live, {
        ...input,
        speed: 2 * MiB,
        // Small copy buffers, so the speed limit holds from the first chunk on.
        advanced: { 'buf-size': 256 * 1024 },
        target: {
          kind: 'new-image',
          path,
          format: 'qcow2',
          nodeName: 'half',
          lookup: await lookedUp(ops.dir, path),
        },
      }),
    );
    expect(await cancelAt(ops.qemu.direct, input.jobId, 0.4)).toBeLessThan(0.9);
    expect(await finished).toMatchObject({
      ok: false,
      failure: { job: input.jobId, undoErrors: [] },
      end: { incompleteFiles: [path] },
    });
    expect(await snapshot(ops.qemu.direct)).toEqual(before);
  });

  it('reports a job that fails at once (a target of another size) and undoes it', async () => {
    ops = await startOpsQemu();
    const small = join(ops.dir, 'small.qcow2');
    await createImage({ path: small, format: 'qcow2', size: 8 * MiB });
    await writePatterns(small, 'qcow2', [{ offset: 0, length: MiB, pattern: 0x99 }]);
    const before = await snapshot(ops.qemu.direct);
    const live = await ops.live();
    const result = await runToEnd(
      ops.runner,
      planMirror(live, {
        ...defaultMirrorInput(live, 'top'),
        target: { kind: 'existing-file', path: small, format: 'qcow2', nodeName: 'small' },
      }),
    );
    expect(result).toMatchObject({
      ok: false,
      failure: { job: 'mirror-top', message: /different sizes/, undoErrors: [] },
    });
    expect(await snapshot(ops.qemu.direct)).toEqual(before);
  });
});

describe('commit and stream plans', () => {
  const chainOf = async (o: OpsQemu) =>
    (await imageChain(join(o.dir, 'top.qcow2'))).map((i) => i.filename.split('/').at(-1));

  it('closes the layer an intermediate commit dropped, then the layers of an active one', async () => {
    ops = await startOpsQemu();
    let live = await ops.live();
    const mid = await runToEnd(ops.runner, planCommit(live, defaultCommitInput(live, 'mid')));
    expect(mid).toMatchObject({ ok: true, end: { closed: ['mid', 'mid-file'], problems: [] } });
    expect(await checkUnlocked(join(ops.dir, 'mid.qcow2'))).toMatch(/No errors were found/);

    live = await ops.live();
    const input = defaultCommitInput(live, 'top');
    const { finished } = await startToEnd(ops.runner, planCommit(live, input));
    await waitJob(ops.qemu.direct, input.jobId, ['ready']);
    await ops.qemu.direct.execute('job-complete', { id: input.jobId });
    expect(await finished).toMatchObject({ ok: true, end: { closed: ['top', 'top-file'] } });
    expect((await snapshot(ops.qemu.direct)).nodes).toEqual([
      'base',
      'base-file',
      'data',
      'data-file',
    ]);
    expect(await jobs(ops.qemu.direct)).toEqual([]);
  });

  it('leaves the chain as it was when a commit is cancelled half way', async () => {
    ops = await startOpsQemu();
    // 8 MiB of data in top, then a new layer above it: top becomes an intermediate layer whose
    // commit into mid at 1 MiB/s runs for several seconds (vda: new ← top ← mid ← base).
    await ops.qemu.direct.execute('human-monitor-command', {
      'command-line': `qemu-io -d ${VDA} "write -P 0x6b 8M 8M"`,
    });
    await ops.qemu.direct.execute('blockdev-snapshot-sync', {
      'node-name': 'top',
      'snapshot-file': join(ops.dir, 'new.qcow2'),
      'snapshot-node-name': 'new',
      format: 'qcow2',
    });
    const live = await ops.live();
    const before = await snapshot(ops.qemu.direct);
    const input = { ...defaultCommitInput(live, 'top'), speed: MiB };
    expect(input).toMatchObject({ device: 'new', top: 'top', base: 'mid' });
    const { finished } = await startToEnd(ops.runner, planCommit(live, input));
    expect(await cancelAt(ops.qemu.direct, input.jobId, 0.3)).toBeLessThan(0.9);
    expect(await finished).toMatchObject({ ok: false, failure: { job: input.jobId } });
    expect(await snapshot(ops.qemu.direct)).toEqual(before);
  });

  it('closes the backing layers a full stream made unneeded', async () => {
    ops = await startOpsQemu();
    const live = await ops.live();
    const result = await runToEnd(ops.runner, planStream(live, defaultStreamInput(live, 'top')));
    expect(result).toMatchObject({
      ok: true,
      end: { outcome: 'succeeded', closed: ['mid', 'mid-file', 'base', 'base-file'] },
    });
    await flushDevice(ops.qemu, VDA);
    expect(await chainOf(ops)).toEqual(['top.qcow2']);
    expect((await snapshot(ops.qemu.direct)).nodes).toEqual([
      'data',
      'data-file',
      'top',
      'top-file',
    ]);
  });

  it('leaves the chain as it was when a stream is cancelled part way', async () => {
    ops = await startOpsQemu();
    const before = await snapshot(ops.qemu.direct);
    const live = await ops.live();
    const input = { ...defaultStreamInput(live, 'top'), speed: 256 * 1024 };
    const { finished } = await startToEnd(ops.runner, planStream(live, input));
    expect(await cancelAt(ops.qemu.direct, input.jobId, 0.01)).toBeLessThan(0.9);
    expect(await finished).toMatchObject({
      ok: false,
      failure: { job: input.jobId, message: /without finishing its work/ },
      end: { closed: [] },
    });
    expect(await snapshot(ops.qemu.direct)).toEqual(before);
    expect(await chainOf(ops)).toEqual(['top.qcow2', 'mid.qcow2', 'base.qcow2']);
  });
});
