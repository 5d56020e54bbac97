import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { jobEndsFromGraph } from './job-graph-links.ts';

const load = (name: string) =>
  JSON.parse(readFileSync(`test/fixtures/graph/${name}`, 'utf8')) as unknown;

describe('jobEndsFromGraph', () => {
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

  it('ignores the main node edge and malformed input', () => {
    const graph = {
      nodes: [
        { id: 1, type: 'block-job', name: 'j' },
        { id: 2, type: 'block-driver', name: 'flt' },
        { id: 3, type: 'block-driver', name: 'src' },
      ],
      edges: [
        { parent: 1, child: 2, name: 'main node' },
        { parent: 1, child: 3, name: 'source' },
      ],
    };
    expect(jobEndsFromGraph(graph).get('j')).toEqual({ source: 'src', target: undefined });
    expect(jobEndsFromGraph(null).size).toBe(0);
    expect(jobEndsFromGraph({ nodes: 'x' }).size).toBe(0);
  });
});
