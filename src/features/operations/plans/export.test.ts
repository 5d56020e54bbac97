import { describe, expect, it } from 'vitest';
import { liveInputs } from '../../block-graph/model/fixtures.ts';
import { defaultExportInput, planExport, writableRefusal } from './export.ts';
import { liveStateFromGraph } from './graph-live-state.ts';

// Real captures: the demo at rest (vda on os-top ← os-mid ← os-base, a virtio-blk device
// without share-rw) and a graph with unused images (leftovers).
const demo = liveStateFromGraph(liveInputs('demo'));
const leftovers = liveStateFromGraph(liveInputs('leftovers'));

describe('writableRefusal', () => {
  it("names the device that does not share 'write' on its root node", () => {
    expect(writableRefusal(demo, 'os-top')).toMatch(/^device vda does not let anyone else write/);
  });

  it('names the image a backing node is the backing of', () => {
    expect(writableRefusal(demo, 'os-mid')).toMatch(/^'os-top' \(its backing user\) does not let/);
  });

  it('names a node open read-only', () => {
    const nodes = demo.nodes.map((n) => (n['node-name'] === 'data' ? { ...n, ro: true } : n));
    expect(writableRefusal({ ...demo, nodes }, 'data')).toMatch(/'data' is open read-only/);
  });

  it('lets an unused, writable image go out writable', () => {
    expect(writableRefusal(leftovers, 'spare')).toBeNull();
  });

  it('turns a writable export QEMU would refuse into a problem of the form, before anything is sent', () => {
    const input = { ...defaultExportInput(demo, 'os-top'), writable: true };
    const result = planExport(demo, input);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems.map((p) => p.field)).toContain('writable');
    const readOnly = planExport(demo, { ...input, writable: false });
    const fields = readOnly.ok ? [] : readOnly.problems.map((p) => p.field);
    expect(fields).not.toContain('writable');
  });
});
