// External snapshot of a disk in qemu-system: the device moves onto the new overlay and the
// chain is one layer longer, on disk and in the graph.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { imageChain } from '../harness/qemu.ts';
import { backingChain } from '../../src/features/operations/plans/graph-queries.ts';
import {
  defaultSnapshotInput,
  planSnapshot,
} from '../../src/features/operations/plans/snapshot.ts';
import { lookedUp } from '../fixtures/operations/look-up.ts';
import { runOk, startOpsQemu, VDA, type OpsQemu } from '../fixtures/operations/vm.ts';

let ops: OpsQemu | undefined;
afterEach(async () => {
  await ops?.stop();
  ops = undefined;
});

describe('snapshot plan', () => {
  it('adds an overlay above the active layer', async () => {
    ops = await startOpsQemu();
    const live = await ops.live();
    const input = defaultSnapshotInput(live, 'top');
    expect(input.path).toBe(join(ops.dir, 'top-snap.qcow2'));
    await runOk(
      ops.runner,
      planSnapshot(live, { ...input, lookup: await lookedUp(ops.dir, input.path) }),
    );
    const after = await ops.live();
    expect(backingChain(after, 'top-snap')).toEqual(['top-snap', 'top', 'mid', 'base']);
    expect(after.blocks.find((b) => b.qdev === VDA)?.inserted?.['node-name']).toBe('top-snap');
    expect((await imageChain(input.path)).map((i) => i.filename.split('/').at(-1))).toEqual([
      'top-snap.qcow2',
      'top.qcow2',
      'mid.qcow2',
      'base.qcow2',
    ]);
    // Taking it again into the same file is refused before QEMU would overwrite it.
    const again = planSnapshot(after, { ...input, node: 'top-snap', snapshotNodeName: 'other' });
    expect(!again.ok && again.problems[0]?.message).toMatch(/already open/);
  });
});
