// Schema: indexing the running QEMU's full introspection and building the form model of every
// command, beside JSON.parse of the same reply (work the page does anyway) in the same run.
import { buildFormModel } from '../src/schema/form-model.ts';
import { walkFormModel } from '../src/schema/form-walk.ts';
import { buildSchemaIndex } from '../src/schema/schema-index.ts';
import type { DirectQmp } from '../test/harness/direct-qmp.ts';
import type { BenchContext } from './report.ts';

const REPEATS = 5;

function medianMs(run: () => void): number {
  const times: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const start = performance.now();
    run();
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[Math.floor(REPEATS / 2)]!;
}

export function benchSchema(ctx: BenchContext, raw: unknown): void {
  const text = JSON.stringify(raw);
  const parseMs = medianMs(() => JSON.parse(text));
  const parseRow = { label: 'JSON.parse of the reply', value: parseMs, unit: 'ms' };
  let index = buildSchemaIndex(raw);
  const indexMs = medianMs(() => (index = buildSchemaIndex(raw)));
  ctx.add({
    key: 'schema.index_ms',
    label: `Schema: index the full introspection (${(text.length / 1024).toFixed(0)} KB)`,
    value: indexMs,
    unit: 'ms',
    baseline: parseRow,
    ratio: indexMs / parseMs,
  });
  const commands = [...index.commands.keys()];
  const formsMs = medianMs(() => {
    for (const command of commands) buildFormModel(index, command);
  });
  ctx.add({
    key: 'schema.form_models_ms',
    label: `Schema: form models of all ${commands.length} commands`,
    value: formsMs,
    unit: 'ms',
    baseline: parseRow,
    ratio: formsMs / parseMs,
  });
  // The worst case: every form expanded as deep as it goes (the page expands lazily).
  let fields = 0;
  const walkMs = medianMs(() => {
    fields = 0;
    for (const command of commands) {
      const model = buildFormModel(index, command);
      if (model) fields += walkFormModel(model).fields;
    }
  });
  ctx.add({
    key: 'schema.forms_fully_expanded_ms',
    label: `Schema: all forms fully expanded (${fields} fields)`,
    value: walkMs,
    unit: 'ms',
    baseline: parseRow,
    ratio: walkMs / parseMs,
  });
}

export async function readSchema(direct: DirectQmp): Promise<unknown> {
  return direct.execute('query-qmp-schema');
}
