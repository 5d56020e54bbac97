import { describe, expect, it } from 'vitest';
import { buildBlockGraphModel } from './build-model.ts';
import { liveInputs } from './fixtures.ts';
import { sameValue, shareUnchanged, withJobs } from './share-model.ts';
import type { GraphInputs, RawJob } from './types.ts';

const fresh = (): GraphInputs => structuredClone(liveInputs('mirror'));
const tick = (jobs: RawJob[] | undefined, progress: number): RawJob[] =>
  (jobs ?? []).map((j) => ({ ...j, 'current-progress': progress }));

describe('withJobs: a job tick without a rebuild', () => {
  it('gives exactly the model a rebuild would, with only the job node replaced', () => {
    const inputs = fresh();
    const before = buildBlockGraphModel(inputs);
    const jobs = tick(inputs.jobs, 4096);
    const patched = withJobs(before, jobs);
    expect(patched).toEqual(buildBlockGraphModel({ ...inputs, jobs }));
    expect(patched.byId.get('job:mirror0')!.job?.['current-progress']).toBe(4096);
    for (const node of patched.nodes)
      if (node.kind !== 'job') expect(node).toBe(before.byId.get(node.id));
    expect(patched.byId.get('job:mirror0')).not.toBe(before.byId.get('job:mirror0'));
    expect(patched.edges).toBe(before.edges);
    expect(patched.topologyKey).toBe(before.topologyKey);
  });

  it('returns the same model when no job changed', () => {
    const inputs = fresh();
    const before = buildBlockGraphModel(inputs);
    expect(withJobs(before, structuredClone(inputs.jobs))).toBe(before);
  });

  it('names a job by id alone once query-jobs no longer lists it', () => {
    const before = buildBlockGraphModel(fresh());
    const after = withJobs(before, []);
    expect(after.byId.get('job:mirror0')!.label).toBe('job mirror0');
    expect(after.byId.get('job:mirror0')!.job).toBeUndefined();
  });
});

describe('shareUnchanged: a rebuilt model keeps the objects that did not change', () => {
  it('returns the previous model itself when a refresh changed nothing', () => {
    const before = buildBlockGraphModel(fresh());
    expect(shareUnchanged(before, buildBlockGraphModel(fresh()))).toBe(before);
  });

  it('replaces only the node whose details changed', () => {
    const before = buildBlockGraphModel(fresh());
    const inputs = fresh();
    const data = inputs.namedNodes!.find((n) => n['node-name'] === 'data')!;
    data.image!['actual-size'] = 12345;
    const after = shareUnchanged(before, buildBlockGraphModel(inputs));
    expect(after).not.toBe(before);
    const changed = after.nodes.filter((n) => n !== before.byId.get(n.id)).map((n) => n.id);
    expect(changed).toEqual(['drv:data']);
    expect(after.byId.get('drv:data')!.actualSize).toBe(12345);
    for (const edge of after.edges) expect(before.edges).toContain(edge);
  });
});

describe('sameValue', () => {
  it('compares JSON-like values by structure', () => {
    expect(sameValue({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toBe(true);
    expect(sameValue({ a: [1, { b: 2 }] }, { a: [1, { b: 3 }] })).toBe(false);
    expect(sameValue({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(sameValue([1], { 0: 1 })).toBe(false);
    expect(sameValue(null, {})).toBe(false);
  });
});
