// Capture `query-qmp-schema` from the QEMU the test starts and build a form model for every
// command it has; nothing may fall back to raw JSON except `any` members.
import { describe, expect, it } from 'vitest';
import { buildFormModel } from '../../src/schema/form-model.ts';
import { walkFormModel } from '../../src/schema/form-walk.ts';
import { buildSchemaIndex, type SchemaIndex } from '../../src/schema/schema-index.ts';
import { startTestQemu, type StartOptions } from '../harness/qemu.ts';

async function captureSchema(options: StartOptions) {
  const qemu = await startTestQemu(options);
  try {
    const raw = await qemu.direct.execute<{ 'meta-type': string }[]>('query-qmp-schema');
    return { raw, index: buildSchemaIndex(raw) };
  } finally {
    await qemu.stop();
  }
}

function rawFallbacks(index: SchemaIndex): string[] {
  return [...index.commands.keys()].flatMap((command) => {
    const model = buildFormModel(index, command);
    if (!model) return [`${command}: no model`];
    return walkFormModel(model).raw.map((r) => `${command} ${r}`);
  });
}

describe('a form model for every command of the live schema', () => {
  it('qemu-system', async () => {
    const { raw, index } = await captureSchema({ kind: 'system' });
    expect(index.commands.size).toBe(raw.filter((e) => e['meta-type'] === 'command').length);
    expect(index.commands.size).toBeGreaterThan(150); // 216 on 7.2
    expect(index.unknown.size).toBe(0);
    expect(rawFallbacks(index)).toEqual([]);
    // `any` stays raw JSON by nature, and is visible as such.
    expect(walkFormModel(buildFormModel(index, 'qom-set')!).any).toEqual(['value']);
  });

  it('qemu-storage-daemon', async () => {
    const { raw, index } = await captureSchema({ kind: 'storage-daemon' });
    expect(index.commands.size).toBe(raw.filter((e) => e['meta-type'] === 'command').length);
    expect(index.commands.size).toBeGreaterThan(50); // 74 on 7.2
    expect(index.commands.has('block_set_io_throttle')).toBe(false);
    expect(index.unknown.size).toBe(0);
    expect(rawFallbacks(index)).toEqual([]);
  });
});
