import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { jobEndsFromGraph } from './job-graph-links.ts';

const load = (name: string) =>
  JSON.parse(readFileSync(`test/fixtures/graph/${name}`, 'utf8')) as unknown;
/** A capture of write-job-fixtures.ts: the graph while one job of each kind runs. */
const jobGraph = (kind: string) => (load(`jobs-${kind}.json`) as { graph: unknown }).graph;

describe('jobEndsFromGraph', () => {
  // The operations VM: base ← mid ← top on vda, a raw `data` disk on vdb.
  it.each([
    ['mirror', 'm-top', 'top', 'mirror-dst'],
    ['backup', 'b-data', 'data', 'backup-dst'],
    ['commit-active', 'c-top', 'top', 'mid'],
    // The card of issue 15 said "os-top-file →": the main node is the device's top, not a filter.
    ['commit-intermediate', 'c-mid', 'mid', 'base'],
    // snap ← top ← mid committed into base: the top of the two layers, not the lower one.
    ['commit-two-layers', 'c-two', 'top', 'base'],
    // Stream: the data comes up from the layers below into the device's node.
    ['stream-base', 's-base', 'mid', 'top'],
    ['stream-all', 's-all', 'mid', 'top'],
  ])('names source and target of a %s job', (kind, id, source, target) => {
    const ends = jobEndsFromGraph(jobGraph(kind));
    expect(ends.get(id)).toEqual({ source, target });
    expect(ends.size).toBe(1);
  });

  it('has nothing for a creation job, which is not in the graph', () => {
    const capture = load('jobs-create.json') as { jobs: { id: string; type: string }[] };
    expect(capture.jobs).toEqual([expect.objectContaining({ id: 'create-new', type: 'create' })]);
    expect(jobEndsFromGraph(jobGraph('create')).size).toBe(0);
  });

  it('names the source and target of a mirror (QEMU 7.2 capture)', () => {
    expect(jobEndsFromGraph(load('block-graph-during-mirror.json')).get('m1')).toEqual({
      source: 'disk0',
      target: 'tgt',
    });
  });

  it("names a backup's source through its copy-before-write filter", () => {
    const graph = load('block-graph-during-backup.json') as {
      nodes: { id: number; name: string }[];
      edges: { parent: number; child: number; name: string }[];
    };
    const ends = jobEndsFromGraph(graph).get('bk-full');
    expect(ends?.target).toBe('full');
    // The filter's file child, whatever QEMU named it in the capture.
    const filter = graph.edges.find((e) => e.name === 'main node')!.child;
    const file = graph.edges.find((e) => e.parent === filter && e.name === 'file')!.child;
    expect(ends?.source).toBe(graph.nodes.find((n) => n.id === file)!.name);
    expect(ends?.source).not.toMatch(/^#block/);
  });

  it('finds no jobs after the pivot', () => {
    expect(jobEndsFromGraph(load('block-graph-after-pivot.json')).size).toBe(0);
  });

  it('gives no name for a role it cannot find, rather than a wrong one', () => {
    const nodes = [
      { id: 1, type: 'block-job', name: 'j' },
      { id: 2, type: 'block-driver', name: 'top' },
      { id: 3, type: 'block-driver', name: 'top-file' },
      { id: 4, type: 'block-driver', name: 'a' },
      { id: 5, type: 'block-driver', name: 'b' },
    ];
    // Only a main node that is no filter of the target: its file child is not the source.
    const mainOnly = [
      { parent: 1, child: 2, name: 'main node' },
      { parent: 2, child: 3, name: 'file' },
    ];
    expect(jobEndsFromGraph({ nodes, edges: mainOnly }).size).toBe(0);
    // A target, but the main node is not the filter writing to it.
    const target = [...mainOnly, { parent: 1, child: 4, name: 'target' }];
    expect(jobEndsFromGraph({ nodes, edges: target }).get('j')).toEqual({
      source: undefined,
      target: 'a',
    });
    // A base with two unrelated intermediate nodes: no top can be told.
    const ambiguous = [
      { parent: 1, child: 2, name: 'intermediate node' },
      { parent: 1, child: 4, name: 'intermediate node' },
      { parent: 1, child: 5, name: 'base' },
    ];
    expect(jobEndsFromGraph({ nodes, edges: ambiguous }).get('j')).toEqual({
      source: undefined,
      target: 'b',
    });
    // Unknown roles only.
    const unknown = [{ parent: 1, child: 4, name: 'something new' }];
    expect(jobEndsFromGraph({ nodes, edges: unknown }).size).toBe(0);
  });

  it('ignores malformed input', () => {
    expect(jobEndsFromGraph(null).size).toBe(0);
    expect(jobEndsFromGraph({ nodes: 'x' }).size).toBe(0);
  });
});
