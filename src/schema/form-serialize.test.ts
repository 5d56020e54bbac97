import { describe, expect, it } from 'vitest';
import { loadSchemaSubset } from '../../test/fixtures/schema/schema-fixture.ts';
import { valueFromJson } from './form-from-json.ts';
import { buildFormModel, type FieldModel } from './form-model.ts';
import { serializeForm, toArguments } from './form-serialize.ts';
import { initialValue, updateAt, type FormValue } from './form-values.ts';
import { buildSchemaIndex } from './schema-index.ts';
import type { JsonObject } from '../qmp/wire.ts';

const index = buildSchemaIndex(loadSchemaSubset());
const model = (command: string): FieldModel => buildFormModel(index, command)!;
const text = (t: string): FormValue => ({ k: 'text', text: t });

function fill(command: string, entries: [string, FormValue][]): FormValue {
  return entries.reduce(
    (value, [path, leaf]) => updateAt(value, path.split('.'), leaf),
    initialValue(model(command)),
  );
}

describe('serialising a filled form', () => {
  it('builds blockdev-add for qcow2 over an inline file with a backing node', () => {
    const value = fill('blockdev-add', [
      ['driver', text('qcow2')],
      ['node-name', text('new0')],
      ['file', { k: 'alt', branch: 0, value: { k: 'object', fields: {} } }],
      ['file.driver', text('file')],
      ['file.filename', text('/tmp/new0.qcow2')],
      ['backing', { k: 'alt', branch: 1, value: text('base0') }],
      ['read-only', { k: 'bool', value: false }],
    ]);
    const result = serializeForm(model('blockdev-add'), value);
    expect(result).toEqual({
      ok: true,
      value: {
        driver: 'qcow2',
        'node-name': 'new0',
        'read-only': false,
        file: { driver: 'file', filename: '/tmp/new0.qcow2' },
        backing: 'base0',
      },
    });
  });

  it('keeps the data wrapper of SocketAddressLegacy and sends ports as strings', () => {
    const args = {
      addr: { type: 'inet', data: { host: '127.0.0.1', port: '10809' } },
      'max-connections': 4,
    };
    const root = model('nbd-server-start');
    const result = serializeForm(root, valueFromJson(root, args));
    expect(result).toEqual({ ok: true, value: args });
  });

  it('round-trips byte sizes and tri-state booleans; unset members are omitted', () => {
    const value = fill('blockdev-mirror', [
      ['device', text('disk0')],
      ['target', text('copy0')],
      ['sync', text('full')],
      ['speed', text('64M')],
      ['auto-finalize', { k: 'bool', value: false }],
      ['job-id', text('')],
    ]);
    const result = serializeForm(model('blockdev-mirror'), value);
    expect(result.ok && toArguments(result.value)).toEqual({
      device: 'disk0',
      target: 'copy0',
      sync: 'full',
      speed: 64 * 1024 * 1024,
      'auto-finalize': false,
    });
  });

  it('reports each problem at its field before anything is sent', () => {
    const value = fill('blockdev-mirror', [
      ['device', text('disk0')],
      ['sync', text('sideways')],
      ['speed', text('fast')],
      ['granularity', text('1000')],
    ]);
    const result = serializeForm(model('blockdev-mirror'), value);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const byPath = Object.fromEntries(result.errors.map((e) => [e.path, e.message]));
    expect(byPath.target).toBe('is required');
    expect(byPath.sync).toMatch(/must be one of top, full/);
    expect(byPath.speed).toMatch(/must be a size/);
    expect(byPath.granularity).toMatch(/power of 2/);
  });

  it('requires a union tag and rejects unknown ones', () => {
    const root = model('blockdev-add');
    const missing = serializeForm(root, initialValue(root));
    expect(!missing.ok && missing.errors.map((e) => e.path)).toContain('driver');
    const unknown = serializeForm(root, fill('blockdev-add', [['driver', text('floppy-tape')]]));
    expect(!unknown.ok && unknown.errors.map((e) => e.path)).toContain('driver');
  });

  it('parses `any` members as JSON and reports bad JSON', () => {
    const root = model('qom-set');
    const good = fill('qom-set', [
      ['path', text('/objects/tg0')],
      ['property', text('limits')],
      ['value', text('{"bps-total": 1048576}')],
    ]);
    expect(serializeForm(root, good)).toMatchObject({
      ok: true,
      value: { value: { 'bps-total': 1048576 } },
    });
    const bad = updateAt(good, ['value'], text('{bps'));
    expect(serializeForm(root, bad)).toMatchObject({
      ok: false,
      errors: [{ path: 'value', message: 'is not valid JSON' }],
    });
  });

  it('fills and re-serialises object-add throttle-group and block-export-add exactly', () => {
    const cases: [string, JsonObject][] = [
      ['object-add', { 'qom-type': 'throttle-group', id: 'tg0', limits: { 'iops-total': 100 } }],
      [
        'block-export-add',
        { type: 'nbd', id: 'e0', 'node-name': 'disk0', writable: true, name: 'disk0' },
      ],
      [
        'block_set_io_throttle',
        { id: 'vda', bps: 0, bps_rd: 0, bps_wr: 0, iops: 100, iops_rd: 0, iops_wr: 0 },
      ],
    ];
    for (const [command, args] of cases) {
      const root = model(command);
      const ordered = serializeForm(root, valueFromJson(root, args));
      expect(ordered.ok && ordered.value, command).toEqual(args);
    }
  });
});
