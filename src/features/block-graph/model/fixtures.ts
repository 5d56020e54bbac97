// Loads the captured QEMU reads under test/fixtures/graph for the unit tests.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GraphInputs, RawGraph, RawNamedNode, RawBlockInfo } from './types.ts';

const DIR = join(import.meta.dirname, '../../../../test/fixtures/graph');

export function loadJson<T>(name: string): T {
  return JSON.parse(readFileSync(join(DIR, name), 'utf8')) as T;
}

/** A full six-read capture from write-live-fixtures.ts. */
export function liveInputs(name: string): GraphInputs {
  return loadJson<GraphInputs>(`live-${name}.json`);
}

/** A bare x-debug-query-block-graph capture from the shared reference. */
export function graphOnly(name: string): GraphInputs {
  return { graph: loadJson<RawGraph>(`block-graph-${name}.json`) };
}

export function referenceMirror(): GraphInputs {
  return {
    graph: loadJson<RawGraph>('block-graph-during-mirror.json'),
    namedNodes: loadJson<RawNamedNode[]>('named-nodes-during-mirror.json'),
    blocks: loadJson<RawBlockInfo[]>('query-block-during-mirror.json'),
    jobs: [
      { id: 'm1', type: 'mirror', status: 'running', 'current-progress': 1, 'total-progress': 4 },
    ],
  };
}
