import { describe, expect, it } from 'vitest';
import { isGraphEvent } from '../../../api/block-graph-queries.ts';
import { buildBlockGraphModel } from '../model/build-model.ts';
import { liveInputs } from '../model/fixtures.ts';
import { withJobs } from '../model/share-model.ts';
import { FlowElementsMemo, flowElements, shownCount, visibleIds } from './flow-elements.ts';

const model = buildBlockGraphModel(liveInputs('mirror'));
const positions = Object.fromEntries(model.nodes.map((n) => [n.id, { x: 0, y: 0 }]));
const all = { device: null, search: '', selected: null };

describe('flowElements', () => {
  it('gives each node its kind as React Flow type and keeps the selection by stable id', () => {
    const { nodes, edges } = flowElements(model, positions, { ...all, selected: 'drv:os-top' });
    expect(nodes).toHaveLength(model.nodes.length);
    expect(edges).toHaveLength(model.edges.length);
    expect(nodes.find((n) => n.id === 'job:mirror0')?.type).toBe('job');
    expect(nodes.filter((n) => n.selected).map((n) => n.id)).toEqual(['drv:os-top']);
  });

  it('filters to one device: its subtree plus the job touching it and where the job writes', () => {
    const vda = 'blk:/machine/peripheral/vda/virtio-backend';
    const ids = flowElements(model, positions, { ...all, device: vda }).nodes.map((n) => n.id);
    expect(ids).toContain('job:mirror0');
    expect(ids).toContain('drv:os-base-file');
    expect(ids).toContain('drv:mirror-dst');
    expect(ids).toContain('anon:job:mirror0:mirror-dst');
    expect(ids).not.toContain('drv:data');
    expect(ids).not.toContain('blk:/machine/peripheral/vdb/virtio-backend');
  });

  it('dims what does not match a search by node-name or file', () => {
    const { nodes } = flowElements(model, positions, { ...all, search: 'os-mid.qcow2' });
    const lit = nodes
      .filter((n) => !n.data.dimmed)
      .map((n) => n.id)
      .sort();
    expect(lit).toEqual(['drv:os-mid', 'drv:os-mid-file']);
  });

  it('leaves out nodes that have no position yet', () => {
    const { nodes, edges } = flowElements(model, { 'drv:data': { x: 0, y: 0 } }, all);
    expect(nodes.map((n) => n.id)).toEqual(['drv:data']);
    expect(edges).toEqual([]);
  });
});

describe('isGraphEvent', () => {
  const event = (name: string, data?: Record<string, string>) => ({
    event: name,
    data,
    timestamp: { seconds: 0, microseconds: 0 },
  });
  it('re-reads on job, export and device events and on the proxy reconnecting to QEMU', () => {
    expect(isGraphEvent(event('JOB_STATUS_CHANGE', { id: 'j', status: 'created' }))).toBe(true);
    expect(isGraphEvent(event('BLOCK_EXPORT_DELETED', { id: 'e' }))).toBe(true);
    expect(isGraphEvent(event('DEVICE_DELETED', { path: '/x' }))).toBe(true);
    expect(isGraphEvent(event('X_BLOCKSCOPE_TARGET_STATE', { state: 'connected' }))).toBe(true);
    expect(isGraphEvent(event('X_BLOCKSCOPE_TARGET_STATE', { state: 'disconnected' }))).toBe(false);
    expect(isGraphEvent(event('RESUME'))).toBe(false);
  });

  it('re-reads when the proxy reports another session changed the graph', () => {
    expect(isGraphEvent(event('X_BLOCKSCOPE_COMMAND_DONE', { command: 'blockdev-add' }))).toBe(
      true,
    );
    expect(isGraphEvent(event('X_BLOCKSCOPE_COMMAND_DONE', { command: 'qom-set' }))).toBe(true);
    expect(isGraphEvent(event('X_BLOCKSCOPE_COMMAND_DONE', { command: 'stop' }))).toBe(false);
  });
});

describe('flowElements given its previous result', () => {
  it('keeps every node and edge object of a job tick except the job card', () => {
    const memo = new FlowElementsMemo();
    const before = memo.next(model, positions, all);
    const jobs = model.byId.get('job:mirror0')!.job!;
    const ticked = withJobs(model, [{ ...jobs, 'current-progress': 1 << 20 }]);
    const after = memo.next(ticked, positions, all);
    const replaced = after.nodes.filter((n, i) => n !== before.nodes[i]).map((n) => n.id);
    expect(replaced).toEqual(['job:mirror0']);
    expect(after.edges).toEqual(before.edges);
    after.edges.forEach((e, i) => expect(e).toBe(before.edges[i]));
  });

  /** The ids whose node object is not the one `before` had for that id (order aside). */
  const replacedIds = (after: { nodes: { id: string }[] }, before: { nodes: { id: string }[] }) => {
    const old = new Map(before.nodes.map((n) => [n.id, n]));
    return after.nodes.filter((n) => old.get(n.id) !== n).map((n) => n.id);
  };

  it('replaces just the two cards whose selection changed, and a dragged card', () => {
    const memo = new FlowElementsMemo();
    const first = memo.next(model, positions, { ...all, selected: 'drv:os-top' });
    const second = memo.next(model, positions, { ...all, selected: 'drv:os-mid' });
    expect(replacedIds(second, first).sort()).toEqual(['drv:os-mid', 'drv:os-top']);
    const moved = { ...positions, 'drv:data': { x: 5, y: 6 } };
    const third = memo.next(model, moved, { ...all, selected: 'drv:os-mid' });
    expect(replacedIds(third, second)).toEqual(['drv:data']);
    // Tab order follows the picture, top to bottom, then left to right, the dragged card too.
    const order = third.nodes.map((n) => [n.position.y, n.position.x] as const);
    const sorted = [...order].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    expect(order).toEqual(sorted);
    // (every other card is at 0,0 here: the dragged one, at 5,6, is now last)
    expect(third.nodes.at(-1)?.id).toBe('drv:data');
    expect(third.nodes.find((n) => n.id === 'drv:data')!.position).toEqual({ x: 5, y: 6 });
  });
});

describe('shownCount', () => {
  const everything = new Set(model.byId.keys());
  const total = model.nodes.length;

  it('counts every node, or those a device filter shows of all', () => {
    expect(shownCount(model, everything, '')).toBe(`${total} nodes`);
    const vda = visibleIds(model, 'blk:/machine/peripheral/vda/virtio-backend');
    expect(vda.size).toBeLessThan(total);
    expect(shownCount(model, vda, '')).toBe(`${vda.size} of ${total} nodes`);
  });

  it('says how many shown nodes a search matches, none included', () => {
    expect(shownCount(model, everything, 'os-top')).toMatch(/ · [1-9]\d* match(es)?$/);
    expect(shownCount(model, everything, 'no-such-node')).toBe(`${total} nodes · no matches`);
    const vdb = visibleIds(model, 'blk:/machine/peripheral/vdb/virtio-backend');
    expect(shownCount(model, vdb, 'os-top')).toMatch(/ · no matches$/);
  });
});
