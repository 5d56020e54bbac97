import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { QAPI_SAMPLE } from '../../../test/fixtures/schema/qapi-docs-sample.ts';
import { loadSchemaSubset } from '../../../test/fixtures/schema/schema-fixture.ts';
import { parseQapiDocs } from '../../schema/qapi-docs.ts';
import type { FieldModel } from '../../schema/form-model.ts';
import { buildSchemaIndex } from '../../schema/schema-index.ts';
import { CommandForm } from './command-form.tsx';
import { FormField, pickEntry } from './field-registry.tsx';
import { FormPickersContext } from './pickers-context.tsx';

const index = buildSchemaIndex(loadSchemaSubset());
const base = {
  name: 'x',
  path: ['x'],
  optional: true,
  deprecated: false,
  unstable: false,
  typeName: '1',
};

describe('field registry', () => {
  it('ranks the node picker above plain text and falls back to visible raw JSON', () => {
    expect(pickEntry({ ...base, kind: 'string', ref: 'node' }).name).toBe('ref-picker');
    expect(pickEntry({ ...base, kind: 'string' }).name).toBe('string');
    expect(pickEntry({ ...base, kind: 'raw', reason: 'type 9 is not in the schema' }).name).toBe(
      'json',
    );
    // A kind this renderer has never heard of still gets the raw-JSON widget.
    const future = { ...base, kind: 'tensor' } as unknown as FieldModel;
    expect(pickEntry(future).name).toBe('json');
    const html = renderToStaticMarkup(
      <FormField model={future} value={{ k: 'unset' }} onChange={() => {}} />,
    );
    expect(html).toContain('<textarea');
    expect(html).toContain('raw JSON');
  });

  it('renders a command form labelled by QMP member names, with node suggestions', () => {
    const html = renderToStaticMarkup(
      <FormPickersContext.Provider value={{ nodeNames: ['disk0', '#block123'], jobIds: [] }}>
        <CommandForm index={index} command="blockdev-mirror" onSubmit={() => {}} />
      </FormPickersContext.Provider>,
    );
    for (const name of ['job-id', 'device', 'target', 'sync', 'speed', 'granularity'])
      expect(html).toMatch(new RegExp(`<label[^>]*>${name}</label>`));
    expect(html).toContain('<option value="#block123">');
    expect(html).toContain('bytes/s (e.g. 64M/s)');
    expect(html).toContain('QMP preview');
    // unstable members stay behind "advanced" until asked for
    expect(html).not.toMatch(/<label[^>]*>x-perf<\/label>/);
  });

  it('shows deprecated members only behind the advanced switch', () => {
    const html = renderToStaticMarkup(
      <CommandForm index={index} command="block_set_io_throttle" onSubmit={() => {}} />,
    );
    expect(html).not.toMatch(/<label[^>]*>device<\/label>/);
    expect(html).toMatch(/deprecated or unstable member.*device/);
    expect(html).toMatch(/<label[^>]*>id<\/label>/);
  });

  it('renders untrusted names as text, not HTML', () => {
    const html = renderToStaticMarkup(
      <FormPickersContext.Provider value={{ nodeNames: ['<img src=x>'], jobIds: [] }}>
        <CommandForm index={index} command="block-commit" onSubmit={() => {}} />
      </FormPickersContext.Provider>,
    );
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x&gt;');
  });

  it('shows QAPI doc text beside the fields', () => {
    const docs = parseQapiDocs([{ name: 'block-sample.json', text: QAPI_SAMPLE }]);
    const html = renderToStaticMarkup(
      <CommandForm index={index} command="blockdev-mirror" docs={docs} onSubmit={() => {}} />,
    );
    expect(html).toContain('Copy one node onto another and keep them the same');
    expect(html).toContain('upper bound of the copy rate, bytes per second');
    expect(html).toContain('uint32, bytes'); // granularity's declared width
  });

  it('renders doc text as text, not HTML', () => {
    const hostile = QAPI_SAMPLE.replace(
      '@buf-size: bytes that may be on their way from source to target',
      '@buf-size: <img src=x onerror=alert(1)> &amp;',
    );
    const docs = parseQapiDocs([{ name: 'hostile.json', text: hostile }]);
    const html = renderToStaticMarkup(
      <CommandForm index={index} command="blockdev-mirror" docs={docs} onSubmit={() => {}} />,
    );
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; &amp;amp;');
  });
});
