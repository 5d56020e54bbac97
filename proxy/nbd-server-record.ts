// What the proxy knows of a target's NBD server. QEMU has no query for the server itself (only
// `query-block-exports` for its exports, qapi/block-export.json), so the record is made of what
// passed through the proxy from every session: a successful `nbd-server-start` (with its
// address), `nbd-server-stop`, and the errors that tell the state ("NBD server already running",
// "NBD server not running", blockdev-nbd.c). An NBD export listed on connect means a server runs
// (block-export-add of type nbd needs one), its address unknown. Anything else is `unknown`:
// the server may have been started by the command line or another monitor.
//
// It also keeps each NBD export's name by export id, from `block-export-add` (the name defaults
// to the node name, qapi/block-export.json BlockExportOptionsNbdBase): query-block-exports does
// not return names. A name is dropped with BLOCK_EXPORT_DELETED.
import type { JsonObject, JsonValue, QmpEvent } from '../src/qmp/wire.ts';
import type { NbdAddress } from '../src/qmp/nbd-server.ts';
import type { CommandResult } from './command-queue.ts';

type NbdServerAddress = NbdAddress;

/** The data of X_BLOCKSCOPE_NBD_SERVER. */
export interface NbdServerData {
  state: 'running' | 'stopped' | 'unknown';
  /** Where it listens, when the proxy saw it start (inet and unix addresses only). */
  address?: NbdServerAddress;
  /** NBD export names by export id, for the exports added through the proxy. */
  names: Record<string, string>;
}

export const NBD_RECORD_COMMANDS = new Set([
  'nbd-server-start',
  'nbd-server-stop',
  'block-export-add',
]);

/** At most this many names are kept (the oldest go first): a bound against a runaway script. */
const MAX_NAMES = 1024;

const isObject = (v: JsonValue | undefined): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** nbd-server-start takes the legacy SocketAddress ({type, data}) (qapi/block-export.json). */
function addressOf(addr: JsonValue | undefined): NbdServerAddress | undefined {
  if (!isObject(addr) || !isObject(addr.data)) return undefined;
  const { data } = addr;
  if (addr.type === 'inet' && typeof data.host === 'string') {
    const port = Number(data.port);
    return Number.isInteger(port) ? { type: 'inet', host: data.host, port } : undefined;
  }
  if (addr.type === 'unix' && typeof data.path === 'string') {
    return { type: 'unix', path: data.path };
  }
  return undefined;
}

export class NbdServerRecord {
  private state: NbdServerData['state'] = 'unknown';
  private address: NbdServerAddress | undefined;
  private readonly names = new Map<string, string>();

  data(): NbdServerData {
    const data: NbdServerData = { state: this.state, names: Object.fromEntries(this.names) };
    if (this.state === 'running' && this.address) data.address = { ...this.address };
    return data;
  }

  /** A command of the record's family was answered; true when the record changed. */
  commandAnswered(command: string, args: JsonObject, result: CommandResult): boolean {
    const before = JSON.stringify(this.data());
    if (command === 'nbd-server-start') {
      if (result.kind === 'return') this.set('running', addressOf(args.addr));
      else if (/NBD server already running/.test(result.error.desc)) {
        if (this.state !== 'running') this.set('running', undefined);
      }
    } else if (command === 'nbd-server-stop') {
      if (result.kind === 'return' || /NBD server not running/.test(result.error.desc)) {
        this.set('stopped', undefined);
      }
    } else if (command === 'block-export-add') {
      if (result.kind === 'return' && args.type === 'nbd' && typeof args.id === 'string') {
        const name = typeof args.name === 'string' ? args.name : args['node-name'];
        if (typeof name === 'string') this.addName(args.id, name);
        // An NBD export was added: the server runs.
        if (this.state !== 'running') this.set('running', undefined);
      } else if (result.kind === 'error' && /NBD server not running/.test(result.error.desc)) {
        this.set('stopped', undefined);
      }
    }
    return JSON.stringify(this.data()) !== before;
  }

  /** QEMU's event; true when the record changed. */
  event(event: QmpEvent): boolean {
    if (event.event !== 'BLOCK_EXPORT_DELETED') return false;
    const id = event.data?.id;
    return typeof id === 'string' && this.names.delete(id);
  }

  /** query-block-exports read on connect: an NBD export means a server runs. */
  learnExports(value: JsonValue): boolean {
    if (!Array.isArray(value) || this.state !== 'unknown') return false;
    if (!value.some((e) => isObject(e) && e.type === 'nbd')) return false;
    this.set('running', undefined);
    return true;
  }

  /** The connection to QEMU changed: what was recorded may no longer hold. */
  reset(): boolean {
    const changed = this.state !== 'unknown' || this.names.size > 0;
    this.state = 'unknown';
    this.address = undefined;
    this.names.clear();
    return changed;
  }

  private set(state: NbdServerData['state'], address: NbdServerAddress | undefined): void {
    this.state = state;
    this.address = address;
    if (state === 'stopped') this.names.clear();
  }

  private addName(id: string, name: string): void {
    this.names.delete(id);
    this.names.set(id, name);
    while (this.names.size > MAX_NAMES) this.names.delete(this.names.keys().next().value!);
  }
}
