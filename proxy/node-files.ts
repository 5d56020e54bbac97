// The files of the protocol nodes (`file`, `host_device`, `host_cdrom`) added through Blockscope on
// one connection to QEMU, so a header check of a format node on top of one needs no
// query-named-block-nodes. QEMU 7.2 has been seen to stall on that query right after a
// blockdev-create job is dismissed, which is exactly when plans add the new image's format node.
// Nodes added elsewhere (the command line, other monitors) are not here and are asked for.
import type { JsonObject, JsonValue } from '../src/qmp/wire.ts';

const PROTOCOL_DRIVERS = new Set(['file', 'host_device', 'host_cdrom']);

/** Keyed by the connection's schema reply, which is new on every connection. */
const byConnection = new WeakMap<object, Map<string, string>>();

export function nodeFilesOf(schema: JsonValue | null | undefined): Map<string, string> | null {
  if (typeof schema !== 'object' || schema === null) return null;
  let files = byConnection.get(schema);
  if (!files) byConnection.set(schema, (files = new Map()));
  return files;
}

/** Records what a command that QEMU answered with success did to the protocol nodes. */
export function recordNodeFiles(files: Map<string, string>, command: string, args: JsonObject) {
  const name = args['node-name'];
  if (typeof name !== 'string') return;
  if (command === 'blockdev-del') files.delete(name);
  if (
    command === 'blockdev-add' &&
    typeof args.driver === 'string' &&
    PROTOCOL_DRIVERS.has(args.driver) &&
    typeof args.filename === 'string'
  ) {
    files.set(name, args.filename);
  }
}
