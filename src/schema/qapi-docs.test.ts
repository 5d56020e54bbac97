import { describe, expect, it } from 'vitest';
import { loadQapiSeeds } from '../../test/fixtures/schema/qapi-seeds.ts';
import { loadSchemaSubset } from '../../test/fixtures/schema/schema-fixture.ts';
import { buildFormModel, type FieldModel } from './form-model.ts';
import { parseQapiDocs } from './qapi-docs.ts';
import { buildSchemaIndex } from './schema-index.ts';

const seeds = loadQapiSeeds();
const bySeed = (prefix: string) => {
  const seed = seeds.find((s) => s.seed.startsWith(prefix));
  if (!seed) throw new Error(`seed ${prefix} missing`);
  return parseQapiDocs([seed]);
};

describe.skipIf(seeds.length === 0)('QAPI doc-comment parser on the seed files', () => {
  it('reads block-core.json: definitions, member types, member docs and Since', () => {
    const docs = bySeed('004');
    const mirror = docs.definitions.get('blockdev-mirror');
    expect(mirror?.kind).toBe('command');
    expect(mirror?.members.get('granularity')).toBe('uint32');
    expect(mirror?.members.get('sync')).toBe('MirrorSyncMode');
    expect(mirror?.doc?.since).toBe('2.6');
    expect(mirror?.doc?.members.speed).toMatch(/bytes per second/);
    expect(mirror?.doc?.members.granularity).toMatch(/power of 2/);
    const options = docs.definitions.get('BlockdevOptions');
    expect(options?.kind).toBe('union');
    expect(options?.branches.get('qcow2')).toBe('BlockdevOptionsQcow2');
    expect(options?.members.get('node-name')).toBe('str');
    expect(docs.definitions.get('blockdev-add')?.argType).toBe('BlockdevOptions');
    expect(docs.definitions.get('BlockdevRef')?.kind).toBe('alternate');
  });

  it('reads block-export.json copies with and without line numbers and lost lines alike', () => {
    for (const prefix of ['000', '001', '002']) {
      const start = bySeed(prefix).definitions.get('nbd-server-start');
      expect(start?.members.get('addr'), prefix).toBe('SocketAddressLegacy');
      expect(start?.doc?.members.addr, prefix).toBe('Address on which to listen.');
      expect(start?.doc?.members['tls-authz'], prefix).toMatch(/denying access \(since 4\.0\)\.$/);
      expect(start?.doc?.description, prefix).toMatch(/^Start an NBD server/);
    }
    expect(bySeed('000').definitions.get('BlockExportInfo')?.doc?.since).toBe('5.2');
    expect(bySeed('002').definitions.get('block-export-add')?.argType).toBe('BlockExportOptions');
  });

  it('reads block.json from a viewer with a separate line-number column', () => {
    const docs = bySeed('003');
    expect(docs.definitions.get('BiosAtaTranslation')?.kind).toBe('enum');
    const quorum = docs.definitions.get('QUORUM_REPORT_BAD');
    expect(quorum?.kind).toBe('event');
    expect(quorum?.doc?.members['sector-num']).toMatch(/first sector/);
  });

  it('attaches docs and integer widths to form fields through the masked schema', () => {
    const all = parseQapiDocs(seeds.filter((s) => !s.seed.startsWith('003')));
    const index = buildSchemaIndex(loadSchemaSubset());
    const find = (model: FieldModel | undefined, name: string, tag?: string) => {
      if (model?.kind !== 'object') throw new Error('not an object');
      return [...model.members(), ...(tag ? model.variantMembers(tag) : [])].find(
        (m) => m.name === name,
      );
    };
    const mirror = buildFormModel(index, 'blockdev-mirror', all);
    expect(mirror?.doc).toMatch(/^Start mirroring/);
    expect(find(mirror, 'granularity')).toMatchObject({ kind: 'integer', qapiType: 'uint32' });
    expect(find(mirror, 'speed')?.doc).toMatch(/bytes per second/);
    const add = buildFormModel(index, 'blockdev-add', all);
    expect(find(add, 'node-name')?.doc).toMatch(/node name/i);
    const file = find(add, 'file', 'qcow2');
    const inline = file?.kind === 'alternate' ? file.branches()[0] : undefined;
    expect(find(inline, 'filename', 'file')?.doc).toMatch(/path to the image file/);
    const start = buildFormModel(index, 'nbd-server-start', all);
    expect(find(start, 'max-connections')).toMatchObject({ qapiType: 'uint32' });
  });
});
