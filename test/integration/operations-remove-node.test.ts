// "Remove node" against a real qemu-system on the chain base ← mid ← top (vda on top): the rule
// agrees with what QEMU lets blockdev-del do, and a removal leaves the node list as it was.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { qemuBinaries } from '../../proxy/qemu/binaries.ts';
import { createImage } from '../harness/qemu.ts';
import { defaultCommitInput, planCommit } from '../../src/features/operations/plans/commit.ts';
import { closableTree, planRemoveNodes } from '../../src/features/operations/plans/node-removal.ts';
import {
  nodeNames,
  run,
  runOk,
  startOpsQemu,
  waitJob,
  type OpsQemu,
} from '../fixtures/operations/vm.ts';

let ops: OpsQemu | undefined;
afterEach(async () => {
  await ops?.stop();
  ops = undefined;
});

const namedNodes = (o: OpsQemu) => o.qemu.direct.execute('query-named-block-nodes', { flat: true });

describe('removing nodes', () => {
  it('closes an unused qcow2 node and its file node, leaving the node list as before', async () => {
    ops = await startOpsQemu();
    const before = await namedNodes(ops);
    const path = join(ops.dir, 'spare.qcow2');
    await createImage({ path, format: 'qcow2', size: 16 * 1024 * 1024 });
    await ops.qemu.direct.execute('blockdev-add', {
      driver: 'file',
      'node-name': 'spare-file',
      filename: path,
    });
    await ops.qemu.direct.execute('blockdev-add', {
      driver: 'qcow2',
      'node-name': 'spare',
      file: 'spare-file',
      backing: null,
    });
    // While QEMU has it open, qemu-img cannot take the image's lock.
    await expect(run(qemuBinaries().img, ['info', path])).rejects.toThrow(/lock/);

    const live = await ops.live();
    const tree = closableTree(live, 'spare');
    expect(tree).toEqual(['spare', 'spare-file']);
    await runOk(ops.runner, planRemoveNodes(live, tree));

    expect(await namedNodes(ops)).toEqual(before);
    // The file is still there, and no longer locked.
    const { stdout } = await run(qemuBinaries().img, ['info', '--output=json', path]);
    expect(JSON.parse(stdout)).toMatchObject({ format: 'qcow2', 'virtual-size': 16 * 1024 * 1024 });
  });

  it('refuses a node the device uses, as QEMU does', async () => {
    ops = await startOpsQemu();
    const live = await ops.live();
    expect(closableTree(live, 'top')).toEqual([]);
    const result = planRemoveNodes(live, ['top']);
    expect(result).toEqual({
      ok: false,
      problems: [{ field: 'node', message: "'top' is in use by device vda." }],
    });
    // The rule matches QEMU's own answer.
    await expect(ops.qemu.direct.execute('blockdev-del', { 'node-name': 'top' })).rejects.toThrow(
      /in use/,
    );
    // And a backing node: held by the node above it.
    expect(planRemoveNodes(live, ['mid'])).toMatchObject({
      ok: false,
      problems: [{ message: "'mid' is in use by node top." }],
    });
  });

  it('closes the layer an intermediate commit left behind, keeping the base', async () => {
    ops = await startOpsQemu();
    let live = await ops.live();
    const input = defaultCommitInput(live, 'mid');
    await runOk(ops.runner, planCommit(live, input));
    await waitJob(ops.runner, input.jobId, ['concluded']);
    await ops.qemu.direct.execute('job-dismiss', { id: input.jobId });

    live = await ops.live();
    // mid still points at base, which top now uses directly: only mid and its file can go.
    expect(closableTree(live, 'mid')).toEqual(['mid', 'mid-file']);
    await runOk(ops.runner, planRemoveNodes(live, closableTree(live, 'mid')));
    expect(await nodeNames(ops.runner)).toEqual(
      ['base', 'base-file', 'data', 'data-file', 'top', 'top-file'].sort(),
    );
  });
});
