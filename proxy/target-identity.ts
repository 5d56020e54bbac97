// What the proxy learns from a target's schema (query-qmp-schema, read once per connection): the
// commands it has, for the policy's default-deny, and which program it is. qemu-storage-daemon
// has the block layer but no run state, so `query-status` tells the two apart.
import type { JsonValue } from '../src/qmp/wire.ts';

export type TargetKind = 'qemu-system' | 'qemu-storage-daemon' | 'unknown';

export function identifyTarget(schema: JsonValue): { commands: Set<string>; kind: TargetKind } {
  const commands = new Set<string>();
  if (Array.isArray(schema)) {
    for (const entry of schema) {
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) continue;
      if (entry['meta-type'] === 'command' && typeof entry.name === 'string') {
        commands.add(entry.name);
      }
    }
  }
  const kind = commands.has('query-status')
    ? 'qemu-system'
    : commands.has('block-export-add')
      ? 'qemu-storage-daemon'
      : 'unknown';
  return { commands, kind };
}
