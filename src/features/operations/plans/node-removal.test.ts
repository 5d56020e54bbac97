import { describe, expect, it } from 'vitest';
import { liveInputs } from '../../block-graph/model/fixtures.ts';
import { liveStateFromGraph } from './graph-live-state.ts';
import {
  closableTree,
  nodeUsers,
  planRemoveNodes,
  removalBlocker,
  unusedNodes,
} from './node-removal.ts';
import type { PlanResult } from './types.ts';

// Real captures (test/fixtures/graph): write-leftover-fixture.ts for `leftovers`, the demo at
// rest, during a mirror and a backup, and with NBD exports (write-live-fixtures.ts).
const live = (name: string) => liveStateFromGraph(liveInputs(name));
const leftovers = live('leftovers');

function problems(result: PlanResult): string[] {
  if (result.ok) throw new Error('expected a refusal');
  return result.problems.map((p) => p.message);
}

describe('closableTree', () => {
  it('gives an unused image and its file node, parent first', () => {
    expect(closableTree(leftovers, 'spare')).toEqual(['spare', 'spare-file']);
  });

  it('leaves a backing node that another node still uses', () => {
    // mid was detached by an intermediate commit; its backing `base` is still top's.
    expect(closableTree(leftovers, 'mid')).toEqual(['mid', 'mid-file']);
    // Two overlays over `shared`: removing one keeps `shared` for the other.
    expect(closableTree(leftovers, 'ov1')).toEqual(['ov1', 'ov1-file']);
  });

  it('does not list a file node QEMU named itself (it goes with its parent)', () => {
    const [file] = [...leftovers.graph.nodes].filter((n) => n.name.startsWith('#block'));
    expect(file).toBeDefined();
    expect(closableTree(leftovers, 'inline')).toEqual(['inline']);
    expect(closableTree(leftovers, file!.name)).toEqual([]);
  });

  it('refuses nodes in use: device, export, other node, job', () => {
    expect(closableTree(leftovers, 'top')).toEqual([]);
    expect(closableTree(leftovers, 'exported')).toEqual([]);
    expect(closableTree(leftovers, 'shared')).toEqual([]);
    expect(closableTree(leftovers, 'spare-file')).toEqual([]);
    expect(closableTree(live('mirror'), 'mirror-dst')).toEqual([]);
    expect(closableTree(leftovers, 'no-such-node')).toEqual([]);
  });
});

describe('nodeUsers', () => {
  it('names what holds each node', () => {
    expect(nodeUsers(leftovers, 'top')).toEqual(['device vda']);
    expect(nodeUsers(leftovers, 'exported')).toEqual(['export exp0']);
    expect(nodeUsers(leftovers, 'shared')).toEqual(['node ov2', 'node ov1']);
    expect(nodeUsers(leftovers, 'base')).toEqual(['node top', 'node mid']);
    expect(nodeUsers(leftovers, 'spare')).toEqual([]);
    // A mirror's target: the job (its unnamed BlockBackend is the job's, not listed twice).
    expect(nodeUsers(live('mirror'), 'mirror-dst')).toEqual(['job mirror0']);
    // A backup's source sits under QEMU's copy-before-write filter.
    expect(nodeUsers(live('backup'), 'data')).toEqual([expect.stringMatching(/^node #block\d+$/)]);
    // Two exports of one node.
    expect(nodeUsers(live('exports'), 'os-base').sort()).toEqual([
      'export exp-a',
      'export exp-b',
      'node os-mid',
    ]);
  });

  it('leaves out the nodes that are closed first', () => {
    expect(nodeUsers(leftovers, 'shared', new Set(['ov1']))).toEqual(['node ov2']);
    expect(nodeUsers(leftovers, 'shared', new Set(['ov1', 'ov2']))).toEqual([]);
  });
});

describe('removalBlocker', () => {
  it('says in a few words why a node cannot go, and nothing when it can', () => {
    const generated = leftovers.graph.nodes.find((n) => n.name.startsWith('#block'))!.name;
    expect(removalBlocker(leftovers, 'spare')).toBeNull();
    expect(removalBlocker(leftovers, 'top')).toBe('Used by device vda');
    expect(removalBlocker(leftovers, 'shared')).toBe('Used by node ov2, node ov1');
    expect(removalBlocker(leftovers, generated)).toBe(
      'Named by QEMU: it goes when its parent is closed',
    );
    expect(removalBlocker(leftovers, 'nope')).toBe('Not open in QEMU');
  });
});

describe('unusedNodes', () => {
  it('orders parents before children whatever order they are given in', () => {
    expect(unusedNodes(leftovers, ['spare-file', 'spare'])).toEqual(['spare', 'spare-file']);
    expect(
      unusedNodes(leftovers, ['shared-file', 'shared', 'ov2', 'ov1', 'ov1-file', 'ov2-file']),
    ).toEqual(['ov2', 'ov1', 'shared', 'shared-file', 'ov1-file', 'ov2-file']);
  });

  it('skips nodes in use, QEMU-named nodes and unknown names', () => {
    const generated = leftovers.graph.nodes.find((n) => n.name.startsWith('#block'))!.name;
    expect(unusedNodes(leftovers, ['top', 'spare', generated, 'nope', 'shared', 'ov1'])).toEqual([
      'spare',
      'ov1',
    ]);
  });

  it('finds nothing to remove in the demo at rest', () => {
    const demo = live('demo');
    expect(
      unusedNodes(
        demo,
        demo.nodes.map((n) => n['node-name']),
      ),
    ).toEqual([]);
  });
});

describe('planRemoveNodes', () => {
  it('plans one blockdev-del per node, parents first, with words', () => {
    const result = planRemoveNodes(leftovers, closableTree(leftovers, 'spare'));
    if (!result.ok) throw new Error(problems(result).join('; '));
    const { plan } = result;
    expect(plan.steps.map((s) => [s.command, s.arguments])).toEqual([
      ['blockdev-del', { 'node-name': 'spare' }],
      ['blockdev-del', { 'node-name': 'spare-file' }],
    ]);
    expect(plan.summary).toBe("Close node 'spare' and 'spare-file'. The image files stay on disk.");
    expect(plan.steps[0]!.explanation).toMatch(
      /^Closes node 'spare' \(qcow2, \/images\/spare\.qcow2\): no device, job, export or other node uses it\./,
    );
    expect(plan.steps[1]!.explanation).toMatch(/only 'spare' used it/);
    expect(plan.jobIds).toEqual([]);
  });

  it('refuses a node in use, saying by what', () => {
    expect(problems(planRemoveNodes(leftovers, ['top']))).toEqual([
      "'top' is in use by device vda.",
    ]);
    expect(problems(planRemoveNodes(leftovers, ['exported']))).toEqual([
      "'exported' is in use by export exp0.",
    ]);
    expect(problems(planRemoveNodes(live('mirror'), ['mirror-dst']))).toEqual([
      "'mirror-dst' is in use by job mirror0.",
    ]);
    // A child listed without its parent.
    expect(problems(planRemoveNodes(leftovers, ['spare-file']))).toEqual([
      "'spare-file' is in use by node spare.",
    ]);
    // One overlay is not enough to free `shared`.
    expect(problems(planRemoveNodes(leftovers, ['ov1', 'shared']))).toEqual([
      "'shared' is in use by node ov2.",
    ]);
  });

  it('refuses unknown and QEMU-named nodes and an empty list', () => {
    const generated = leftovers.graph.nodes.find((n) => n.name.startsWith('#block'))!.name;
    expect(problems(planRemoveNodes(leftovers, ['nope']))).toEqual([
      "There is no node named 'nope'.",
    ]);
    expect(problems(planRemoveNodes(leftovers, [generated]))[0]).toMatch(/named by QEMU/);
    expect(problems(planRemoveNodes(leftovers, []))).toEqual(['Choose a node to remove.']);
  });
});
