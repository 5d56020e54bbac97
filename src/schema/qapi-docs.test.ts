import { describe, expect, it } from 'vitest';
import { QAPI_SAMPLE as SAMPLE } from '../../test/fixtures/schema/qapi-docs-sample.ts';
import { loadSchemaSubset } from '../../test/fixtures/schema/schema-fixture.ts';
import { buildFormModel, type FieldModel } from './form-model.ts';
import { parseQapiDocs } from './qapi-docs.ts';
import { docsFromWire, definitionToWire } from './qapi-docs-wire.ts';
import { buildSchemaIndex } from './schema-index.ts';

const sample = () => parseQapiDocs([{ name: 'block-sample.json', text: SAMPLE }]);

describe('QAPI doc-comment parser', () => {
  it('reads definitions, member types, member docs and Since', () => {
    const docs = sample();
    const mirror = docs.definitions.get('blockdev-mirror');
    expect(mirror).toMatchObject({ kind: 'command', file: 'block-sample.json' });
    expect(mirror?.members.get('granularity')).toBe('uint32');
    expect(mirror?.members.get('sync')).toBe('MirrorSyncMode');
    expect(mirror?.doc?.since).toBe('2.6');
    expect(mirror?.doc?.description).toBe(
      'Copy one node onto another and keep them the same until the job is completed.',
    );
    // A member paragraph continued on an indented line is one text.
    expect(mirror?.doc?.members.speed).toBe('upper bound of the copy rate, bytes per second');
    const options = docs.definitions.get('BlockdevOptions');
    expect(options?.kind).toBe('union');
    expect(options?.branches.get('qcow2')).toBe('BlockdevOptionsQcow2');
    expect(options?.members.get('node-name')).toBe('str');
    expect(docs.definitions.get('blockdev-add')?.argType).toBe('BlockdevOptions');
    expect(docs.definitions.get('BlockdevRef')?.kind).toBe('alternate');
    expect(docs.definitions.get('MirrorSyncMode')?.doc?.members.none).toBe(
      'nothing old, only new writes',
    );
    expect(docs.definitions.get('BLOCK_JOB_READY')?.kind).toBe('event');
  });

  it('still reads what is left of a copy that lost lines', () => {
    const damaged = SAMPLE.split('\n')
      .filter(
        (line) => !line.includes("'struct': 'BlockdevOptionsFile'") && !line.includes('@target'),
      )
      .join('\n');
    const docs = parseQapiDocs([{ name: 'damaged.json', text: damaged }]);
    expect(docs.definitions.has('BlockdevOptionsFile')).toBe(false);
    expect(docs.definitions.get('BlockdevOptionsQcow2')?.members.get('file')).toBe('BlockdevRef');
    expect(docs.definitions.get('blockdev-mirror')?.doc?.members.device).toBe(
      'node whose writes are copied',
    );
  });

  it('survives the trip through the JSON the server sends', () => {
    const docs = sample();
    const wire = JSON.parse(JSON.stringify([...docs.definitions.values()].map(definitionToWire)));
    expect(docsFromWire(wire)).toEqual(docs);
    expect(docsFromWire([{ name: 'x', kind: 'nonsense' }, 7, null]).definitions.size).toBe(0);
  });

  it('attaches docs and integer widths to form fields through the masked schema', () => {
    const docs = sample();
    const index = buildSchemaIndex(loadSchemaSubset());
    const find = (model: FieldModel | undefined, name: string, tag?: string) => {
      if (model?.kind !== 'object') throw new Error('not an object');
      return [...model.members(), ...(tag ? model.variantMembers(tag) : [])].find(
        (m) => m.name === name,
      );
    };
    const mirror = buildFormModel(index, 'blockdev-mirror', docs);
    expect(mirror?.doc).toBe(
      'Copy one node onto another and keep them the same until the job is completed. (since 2.6)',
    );
    expect(find(mirror, 'granularity')).toMatchObject({ kind: 'integer', qapiType: 'uint32' });
    expect(find(mirror, 'buf-size')?.doc).toBe(
      'bytes that may be on their way from source to target',
    );
    const add = buildFormModel(index, 'blockdev-add', docs);
    expect(find(add, 'node-name')?.doc).toBe('the name other commands use for the node');
    const file = find(add, 'file', 'qcow2');
    expect(file?.doc).toBe('the node holding the qcow2 data');
    const inline = file?.kind === 'alternate' ? file.branches()[0] : undefined;
    expect(find(inline, 'filename', 'file')?.doc).toBe('where the image lives on the host');
    const start = buildFormModel(index, 'nbd-server-start', docs);
    expect(find(start, 'max-connections')).toMatchObject({ qapiType: 'uint32' });
  });
});
