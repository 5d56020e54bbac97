import { describe, expect, it } from 'vitest';
import { loadSchemaSubset } from '../../test/fixtures/schema/schema-fixture.ts';
import { buildSchemaIndex } from './schema-index.ts';
import {
  commandFeatures,
  enumValuesAt,
  findArgument,
  hasArgument,
  hasCommand,
  hasEvent,
  unionCases,
} from './feature-detection.ts';

const index = buildSchemaIndex(loadSchemaSubset());

describe('schema index', () => {
  it('separates commands, events and every meta-type', () => {
    expect(hasCommand(index, 'blockdev-add')).toBe(true);
    expect(hasCommand(index, 'device_add')).toBe(false);
    expect(hasEvent(index, 'BLOCK_JOB_READY')).toBe(true);
    const metas = new Set([...index.types.values()].map((t) => t.meta));
    expect(metas).toEqual(new Set(['builtin', 'enum', 'array', 'object', 'alternate']));
    expect(index.unknown.size).toBe(0);
  });

  it('reads features on commands, members and enum values', () => {
    expect(commandFeatures(index, 'drive-backup')).toContain('deprecated');
    expect(commandFeatures(index, 'x-debug-query-block-graph')).toContain('unstable');
    expect(findArgument(index, 'block_set_io_throttle', ['device'])?.features).toContain(
      'deprecated',
    );
    expect(findArgument(index, 'blockdev-backup', ['x-perf'])?.features).toContain('unstable');
    expect(index.events.get('MEM_UNPLUG_ERROR')?.features).toContain('deprecated');
  });

  it('answers member and enum questions from a command name', () => {
    expect(hasArgument(index, 'blockdev-mirror', ['copy-mode'])).toBe(true);
    expect(hasArgument(index, 'blockdev-mirror', ['no-such-member'])).toBe(false);
    expect(enumValuesAt(index, 'blockdev-mirror', ['sync'])).toEqual([
      'top',
      'full',
      'none',
      'incremental',
      'bitmap',
    ]);
    // Variant members of the flat union count, and paths follow alternates into objects.
    expect(hasArgument(index, 'blockdev-add', ['filename'])).toBe(true);
    expect(hasArgument(index, 'blockdev-add', ['file', 'filename'])).toBe(true);
    expect(findArgument(index, 'nbd-server-start', ['max-connections'])?.optional).toBe(true);
    expect(findArgument(index, 'nbd-server-start', ['addr'])?.optional).toBe(false);
    expect(unionCases(index, 'blockdev-add')).toContain('qcow2');
    expect(unionCases(index, 'block-export-add')).toEqual(
      expect.arrayContaining(['nbd', 'vhost-user-blk']),
    );
  });

  it('ignores meta-types it does not know instead of failing', () => {
    const odd = buildSchemaIndex([
      { name: 'x', 'meta-type': 'future-thing' },
      { name: 'c', 'meta-type': 'command', 'arg-type': 'x', 'ret-type': 'x' },
    ]);
    expect(odd.unknown.has('x')).toBe(true);
    expect(hasCommand(odd, 'c')).toBe(true);
  });
});
