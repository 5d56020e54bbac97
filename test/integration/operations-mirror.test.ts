// Mirror plans against a real qemu-system: to a new image made over QMP, then Complete (pivot);
// to an existing image, then stop keeping the copy; with drive-mirror. The effect is checked
// outside the UI with qemu-img compare and query-block.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createImage, imagesIdentical } from '../harness/qemu.ts';
import {
  defaultMirrorInput,
  planDriveMirror,
  planMirror,
} from '../../src/features/operations/plans/mirror.ts';
import { finishJob } from '../fixtures/operations/job-panel.ts';
import { lookedUp } from '../fixtures/operations/look-up.ts';
import {
  flushDevice,
  runOk,
  startOpsQemu,
  VDA,
  waitJob,
  type OpsQemu,
} from '../fixtures/operations/vm.ts';

let ops: OpsQemu | undefined;
afterEach(async () => {
  await ops?.stop();
  ops = undefined;
});

async function deviceNode(o: OpsQemu): Promise<string | undefined> {
  const blocks =
    await o.qemu.direct.execute<{ qdev: string; inserted?: { 'node-name': string } }[]>(
      'query-block',
    );
  return blocks.find((b) => b.qdev === VDA)?.inserted?.['node-name'];
}

describe('mirror plans', () => {
  it('mirrors to a new image created over QMP and pivots the device on Complete', async () => {
    ops = await startOpsQemu();
    const live = await ops.live();
    const input = defaultMirrorInput(live, 'top');
    expect(input.target).toMatchObject({
      kind: 'new-image',
      format: 'qcow2',
      nodeName: 'top-mirror',
    });
    const path = join(ops.dir, 'copy.qcow2');
    const result = planMirror(live, {
      ...input,
      target: {
        ...input.target,
        path,
        lookup: await lookedUp(ops.dir, path),
      } as typeof input.target,
    });
    await runOk(ops.runner, result);
    await waitJob(ops.runner, input.jobId, ['ready']);

    await finishJob(ops.runner, input.jobId, 'complete');
    expect(await deviceNode(ops)).toBe('top-mirror');
    expect(await ops.qemu.direct.execute('query-jobs')).toEqual([]);
    await flushDevice(ops.qemu, VDA);
    expect(await imagesIdentical(join(ops.dir, 'reference.raw'), path)).toBe(true);
  });

  it('mirrors to an existing image and stops without a switch-over, keeping the copy', async () => {
    ops = await startOpsQemu();
    const path = join(ops.dir, 'existing.qcow2');
    await createImage({ path, format: 'qcow2', size: 16 * 1024 * 1024 });
    const live = await ops.live();
    const result = planMirror(live, {
      source: 'top',
      jobId: 'm-existing',
      sync: 'full',
      speed: 64 * 1024 * 1024,
      granularity: 65536,
      copyMode: 'write-blocking',
      target: { kind: 'existing-file', path, format: 'qcow2', nodeName: 'existing' },
    });
    await runOk(ops.runner, result);
    await waitJob(ops.runner, 'm-existing', ['ready']);
    await finishJob(ops.runner, 'm-existing', 'finish-keep-source');
    expect(await deviceNode(ops)).toBe('top');
    await ops.qemu.direct.execute('blockdev-del', { 'node-name': 'existing' });
    expect(await imagesIdentical(join(ops.dir, 'reference.raw'), path)).toBe(true);
  });

  it('creates the target from a path with drive-mirror', async () => {
    ops = await startOpsQemu();
    const path = join(ops.dir, 'dm.qcow2');
    const live = await ops.live();
    await runOk(
      ops.runner,
      planDriveMirror(live, {
        source: 'top',
        path,
        format: 'qcow2',
        mode: 'absolute-paths',
        lookup: await lookedUp(ops.dir, path),
        nodeName: 'dm',
        jobId: 'dm1',
        sync: 'full',
      }),
    );
    await waitJob(ops.runner, 'dm1', ['ready']);
    await finishJob(ops.runner, 'dm1', 'complete');
    expect(await deviceNode(ops)).toBe('dm');
    await flushDevice(ops.qemu, VDA);
    expect(await imagesIdentical(join(ops.dir, 'reference.raw'), path)).toBe(true);
  });

  it('mirrors only the top layer onto a new image backed by the same backing file', async () => {
    ops = await startOpsQemu();
    const live = await ops.live();
    const path = join(ops.dir, 'top-only.qcow2');
    await runOk(
      ops.runner,
      planMirror(live, {
        source: 'top',
        jobId: 'm-top',
        sync: 'top',
        target: {
          kind: 'new-image',
          path,
          format: 'qcow2',
          nodeName: 'top-only',
          lookup: await lookedUp(ops.dir, path),
        },
      }),
    );
    await waitJob(ops.runner, 'm-top', ['ready']);
    await finishJob(ops.runner, 'm-top', 'complete');
    expect(await deviceNode(ops)).toBe('top-only');
    await flushDevice(ops.qemu, VDA);
    expect(await imagesIdentical(join(ops.dir, 'reference.raw'), path)).toBe(true);
  });
});
