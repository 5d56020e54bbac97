// The image files of backup targets, for the backup ledger: learned from the blockdev-add
// commands QEMU accepted on this connection (a protocol node's `filename`, a format node's inline
// `file`, or its `file` reference to a protocol node), else from a `query-named-block-nodes`
// reply (its `file` and `drv` members, qapi/block-core.json BlockDeviceInfo). Bounded: the
// oldest nodes are forgotten first.
import type { JsonObject, JsonValue } from '../src/qmp/wire.ts';

interface Added {
  file?: string;
  ref?: string;
  driver?: string;
}

export interface TargetFile {
  file?: string;
  format?: string;
}

export class TargetFiles {
  private readonly added = new Map<string, Added>();
  private readonly asked = new Set<string>();

  constructor(private readonly maxNodes: number) {}

  /** A blockdev-add QEMU accepted. */
  nodeAdded(args: JsonObject): void {
    const name = args['node-name'];
    if (typeof name !== 'string') return;
    const entry: Added = {};
    if (typeof args.driver === 'string') entry.driver = args.driver;
    if (typeof args.filename === 'string') entry.file = args.filename;
    const file = args.file;
    if (typeof file === 'string') entry.ref = file;
    else if (typeof file === 'object' && file !== null && !Array.isArray(file)) {
      if (typeof file.filename === 'string') entry.file = file.filename;
    }
    this.added.delete(name);
    this.added.set(name, entry);
    while (this.added.size > this.maxNodes) {
      this.added.delete(this.added.keys().next().value as string);
    }
  }

  nodeDeleted(name: string): void {
    this.added.delete(name);
    this.asked.delete(name);
  }

  /** What the commands seen say about `node`'s image. */
  known(node: string): TargetFile {
    const entry = this.added.get(node);
    if (!entry) return {};
    const file =
      entry.file ?? (entry.ref !== undefined ? this.added.get(entry.ref)?.file : undefined);
    return {
      ...(file !== undefined ? { file } : {}),
      ...(entry.driver !== undefined ? { format: entry.driver } : {}),
    };
  }

  /** True the first time a node is to be asked for, false after. */
  firstAsk(node: string): boolean {
    if (this.asked.has(node)) return false;
    this.asked.add(node);
    return true;
  }

  clear(): void {
    this.added.clear();
    this.asked.clear();
  }
}

/** The image file and driver of each node in a `query-named-block-nodes` reply. */
export function filesFromNodes(reply: JsonValue): Map<string, TargetFile> {
  const files = new Map<string, TargetFile>();
  if (!Array.isArray(reply)) return files;
  for (const entry of reply) {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) continue;
    const name = entry['node-name'];
    if (typeof name !== 'string' || typeof entry.file !== 'string') continue;
    files.set(name, {
      file: entry.file,
      ...(typeof entry.drv === 'string' ? { format: entry.drv } : {}),
    });
  }
  return files;
}
