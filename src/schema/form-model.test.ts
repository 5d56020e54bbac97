import { describe, expect, it } from 'vitest';
import { loadSchemaSubset } from '../../test/fixtures/schema/schema-fixture.ts';
import { buildFormModel, type FieldModel } from './form-model.ts';
import { walkFormModel } from './form-walk.ts';
import { buildSchemaIndex } from './schema-index.ts';

const index = buildSchemaIndex(loadSchemaSubset());

function model(command: string): FieldModel {
  const root = buildFormModel(index, command);
  if (!root) throw new Error(`no ${command}`);
  return root;
}

function member(parent: FieldModel, name: string, tagValue?: string): FieldModel {
  if (parent.kind !== 'object') throw new Error(`${parent.path.join('.')} is ${parent.kind}`);
  const all = [...parent.members(), ...(tagValue ? parent.variantMembers(tagValue) : [])];
  const found = all.find((m) => m.name === name);
  if (!found) throw new Error(`no member ${name}`);
  return found;
}

describe('form model', () => {
  it('builds every command in the schema without raw fallbacks except `any`', () => {
    for (const command of index.commands.keys()) {
      const report = walkFormModel(model(command));
      expect(report.raw, command).toEqual([]);
    }
    expect(walkFormModel(model('qom-set')).any).toEqual(['value']);
  });

  it('models blockdev-add as a flat union on driver with lazy BlockdevRef children', () => {
    const root = model('blockdev-add');
    expect(root.kind).toBe('object');
    if (root.kind !== 'object') return;
    expect(root.tag).toBe('driver');
    expect(root.cases).toContain('qcow2');
    expect(member(root, 'driver').kind).toBe('enum');
    const nodeName = member(root, 'node-name');
    expect(nodeName).toMatchObject({ kind: 'string', optional: true });
    expect(nodeName.kind === 'string' && nodeName.ref).toBeUndefined(); // a new name, not a pick
    const file = member(root, 'file', 'qcow2');
    expect(file.kind).toBe('alternate');
    if (file.kind !== 'alternate') return;
    const kinds = file.branches().map((b) => b.kind);
    expect(kinds).toEqual(expect.arrayContaining(['object', 'string']));
    const backing = member(root, 'backing', 'qcow2');
    expect(backing.kind === 'alternate' && backing.branches().map((b) => b.kind)).toContain('null');
    const reference = file.branches().find((b) => b.kind === 'string');
    expect(reference?.kind === 'string' && reference.ref).toBe('node');
  });

  it('detects legacy data-wrapped unions structurally', () => {
    const addr = member(model('nbd-server-start'), 'addr');
    expect(addr).toMatchObject({ kind: 'object', tag: 'type', legacyData: true });
    const exportRoot = model('block-export-add');
    expect(exportRoot).toMatchObject({ kind: 'object', tag: 'type', legacyData: false });
  });

  it('marks deprecated and unstable members, and annotates node, job and size members', () => {
    expect(member(model('block_set_io_throttle'), 'device').deprecated).toBe(true);
    expect(member(model('blockdev-backup'), 'x-perf').unstable).toBe(true);
    const mirror = model('blockdev-mirror');
    expect(member(mirror, 'target')).toMatchObject({ kind: 'string', ref: 'node' });
    expect(member(mirror, 'speed')).toMatchObject({ kind: 'integer', unit: 'bytes/s' });
    expect(member(mirror, 'granularity')).toMatchObject({ kind: 'integer', unit: 'bytes' });
    expect(member(mirror, 'job-id')).toMatchObject({ kind: 'string', caption: 'Job ID' });
    expect(member(model('job-cancel'), 'id')).toMatchObject({ kind: 'string', ref: 'job' });
    expect(member(model('block-commit'), 'base-node')).toMatchObject({ ref: 'node' });
    const sync = member(model('drive-backup'), 'sync');
    expect(sync.kind).toBe('enum');
  });
});
