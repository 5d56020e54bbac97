import { describe, expect, it } from 'vitest';
import { loadSchemaSubset } from '../test/fixtures/schema/schema-fixture.ts';
import { QAPI_SAMPLE } from '../test/fixtures/schema/qapi-docs-sample.ts';
import {
  manualMemberText,
  manualVersion,
  QSD_MANUAL,
  SYSTEM_MANUAL,
} from '../test/harness/manual-entry.ts';
import { buildFormModel, type FieldModel } from '../src/schema/form-model.ts';
import { docsFromWire, type FieldDocsResponse } from '../src/schema/qapi-docs-wire.ts';
import { buildSchemaIndex } from '../src/schema/schema-index.ts';
import { createFieldDocs } from './field-docs.ts';
import { readQmpManual } from './qmp-manual/manual-file.ts';

const FIXTURE = new URL('../test/fixtures/qmp-manual/sample-qmp-ref-item.7', import.meta.url)
  .pathname;

async function body(reply: Promise<{ status: number; body: string }>) {
  const { status, body } = await reply;
  expect(status).toBe(200);
  return JSON.parse(body) as FieldDocsResponse;
}

const member = (model: FieldModel | undefined, name: string, tag?: string) => {
  if (model?.kind !== 'object') throw new Error('not an object');
  return [...model.members(), ...(tag ? model.variantMembers(tag) : [])].find(
    (m) => m.name === name,
  );
};

describe('field docs per target', () => {
  it("serves the installed manual of the target's program, with both versions", async () => {
    const docs = createFieldDocs({ env: {} });
    const system = await body(docs('qemu-system', '10.0.2'));
    expect(system.source).toEqual({
      kind: 'manual',
      path: SYSTEM_MANUAL,
      program: 'qemu-system',
      version: manualVersion(SYSTEM_MANUAL),
    });
    expect(system.targetVersion).toBe('10.0.2');
    const qsd = await body(docs('qemu-storage-daemon', undefined));
    expect(qsd.source).toMatchObject({ path: QSD_MANUAL, program: 'qemu-storage-daemon' });
    expect(qsd.targetVersion).toBeUndefined();
  });

  it('gives the forms the manual text through the same model as qapi/*.json', async () => {
    const reply = await body(createFieldDocs({ env: {} })('qemu-system', '7.2.22'));
    const docs = docsFromWire(reply.definitions);
    const index = buildSchemaIndex(loadSchemaSubset());
    const mirror = buildFormModel(index, 'blockdev-mirror', docs);
    expect(member(mirror, 'buf-size')?.doc).toBe(
      manualMemberText(SYSTEM_MANUAL, 'blockdev-mirror', 'buf-size'),
    );
    // The manual prints every width as `int`: the field keeps its own default range.
    const granularity = member(mirror, 'granularity');
    expect(granularity).toMatchObject({ kind: 'integer' });
    expect(granularity).not.toHaveProperty('qapiType');
    const add = buildFormModel(index, 'blockdev-add', docs);
    const file = member(add, 'file', 'qcow2');
    const inline = file?.kind === 'alternate' ? file.branches()[0] : undefined;
    expect(member(inline, 'filename', 'file')?.doc).toBe(
      manualMemberText(SYSTEM_MANUAL, 'BlockdevOptionsFile', 'filename'),
    );
  });

  it('prefers --qmp-manual for its program and --qapi-docs over everything', async () => {
    const given = await readQmpManual(FIXTURE); // documents qemu-storage-daemon 10.0.99
    const docs = createFieldDocs({ env: {}, manuals: [given] });
    expect((await body(docs('qemu-storage-daemon', '10.0.2'))).source).toMatchObject({
      path: FIXTURE,
      version: '10.0.99',
    });
    expect((await body(docs('qemu-system', '10.0.2'))).source).toMatchObject({
      path: SYSTEM_MANUAL,
    });
    const qapi = createFieldDocs({
      env: {},
      manuals: [given],
      qapiDocs: { dir: '/qapi', files: [{ name: 'block-sample.json', text: QAPI_SAMPLE }] },
    });
    const reply = await body(qapi('qemu-storage-daemon', '10.0.2'));
    expect(reply.source).toEqual({ kind: 'qapi-files', dir: '/qapi' });
    expect(
      docsFromWire(reply.definitions)
        .definitions.get('blockdev-mirror')
        ?.members.get('granularity'),
    ).toBe('uint32');
  });

  it('answers 503 before the target greets and 404 with the places it looked', async () => {
    const docs = createFieldDocs({ candidates: () => ['/nonexistent/qemu-qmp-ref.7.gz'] });
    expect(await docs(undefined, undefined)).toEqual({
      status: 503,
      body: JSON.stringify({ error: 'target not connected yet' }),
    });
    expect(await docs('qemu-system', '7.2.22')).toEqual({
      status: 404,
      body: JSON.stringify({
        error:
          'no QMP reference manual for qemu-system (looked for /nonexistent/qemu-qmp-ref.7.gz)',
      }),
    });
  });
});
