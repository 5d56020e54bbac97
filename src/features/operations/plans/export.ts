// Export a node over NBD in one click: start the server if Blockscope has not, then add a
// read-only export named after the node. Read-only exports refuse recording bitmaps
// ("Enabled bitmap ... incompatible with readonly export"), so a recording bitmap is published
// through a frozen copy made in one transaction (add disabled + merge), as qmp-domain.md §5.4.
import type { PathLookup } from '../../../qmp/file-lookup.ts';
import type { JsonObject } from '../../../qmp/wire.ts';
import { shortDeviceName } from '../../block-graph/model/node-kind.ts';
import { findBitmap } from './bitmaps.ts';
import { findNode, parentsOf } from './graph-queries.ts';
import { describeFile } from './new-file.ts';
import { existingNodeProblem } from './source-checks.ts';
import type { LiveState, NbdAddress } from './live-state.ts';
import { uniqueName } from './names.ts';
import {
  describeAddress,
  DEFAULT_NBD_ADDRESS,
  legacySocketAddress,
  nbdAddressProblem,
  nbdUri,
} from './nbd.ts';
import { planned, refuse, type PlanResult, type PlanStep, type Problem } from './types.ts';

export interface ExportInput {
  node: string;
  id: string;
  /** The NBD export name clients ask for. */
  name: string;
  writable: boolean;
  bitmaps: string[];
  allocationDepth: boolean;
  /** Used only when the server must be started. */
  address: NbdAddress;
  maxConnections?: number;
  /** What the proxy found at a unix socket path (plans/new-file.ts has the same rule for files). */
  socketLookup?: PathLookup;
}

/**
 * QEMU deletes whatever is at a unix socket path before it listens there (unix_listen_saddr in
 * util/qemu-sockets.c unlinks it): a regular file of the operator's would be lost. So the server
 * starts only on a path the proxy looked at and found empty; there is nothing to confirm.
 */
function socketPathProblem(address: NbdAddress, lookup: PathLookup | undefined): Problem | null {
  if (address.type !== 'unix') return null;
  const { path } = address;
  const field = 'address';
  if (!lookup || lookup.path !== path) {
    return { field, message: `Checking whether ${path} exists…`, pending: true };
  }
  if ('error' in lookup) return { field, message: `Could not check ${path}: ${lookup.error}` };
  if (!lookup.exists) return null;
  return {
    field,
    message: `${path} exists (${describeFile(lookup)}); QEMU would delete it to listen there. Choose a path where nothing is.`,
  };
}

export function defaultExportInput(live: LiveState, node: string): ExportInput {
  const taken = (id: string) => live.exports.some((e) => e.id === id);
  const id = uniqueName(node, taken);
  return {
    node,
    id,
    name: id,
    writable: false,
    bitmaps: [],
    allocationDepth: false,
    address:
      (live.nbdServer.state === 'running' ? live.nbdServer.address : undefined) ??
      DEFAULT_NBD_ADDRESS,
  };
}

/**
 * Why QEMU would refuse a writable export of `node`, or null. The export's block backend needs
 * the `write` permission on the node, which QEMU grants only when the node is not read-only and
 * every other user of it shares `write` (a guest device without share-rw does not): otherwise
 * block-export-add fails with a permission conflict (block/export/export.c, the permission
 * system of block.c).
 */
export function writableRefusal(live: LiveState, node: string): string | null {
  const named = findNode(live, node);
  if (named?.ro) {
    return `'${node}' is open read-only (a backing image is), so QEMU cannot export it writable.`;
  }
  const holders = parentsOf(live, node).filter(
    ({ edge }) => !edge['shared-perm'].includes('write'),
  );
  if (holders.length === 0) return null;
  const names = holders.map(({ node: parent, edge }) =>
    parent.type === 'block-backend'
      ? `device ${shortDeviceName(parent.name)}`
      : `'${parent.name}' (its ${edge.name} user)`,
  );
  return `${names.join(' and ')} ${holders.length > 1 ? 'do' : 'does'} not let anyone else write to '${node}', so QEMU would refuse a writable export.`;
}

function bitmapProblems(live: LiveState, input: ExportInput): Problem[] {
  return input.bitmaps.flatMap((b) =>
    findBitmap(live, input.node, b)
      ? []
      : [{ field: 'bitmaps', message: `Node '${input.node}' has no bitmap named '${b}'.` }],
  );
}

export function planExport(live: LiveState, input: ExportInput): PlanResult {
  // A server that runs is used as it is; started elsewhere, its address is not known.
  const running = live.nbdServer.state === 'running';
  const known = running ? live.nbdServer.address : undefined;
  const address = known ?? input.address;
  const problems = [
    existingNodeProblem(live, input.node, 'node'),
    input.id === '' ? { field: 'id', message: 'An export id is required.' } : null,
    live.exports.some((e) => e.id === input.id)
      ? { field: 'id', message: `Export id '${input.id}' is already in use; choose another.` }
      : null,
    input.name === '' ? { field: 'name', message: 'An export name is required.' } : null,
    running ? null : nbdAddressProblem(address),
    running ? null : socketPathProblem(address, input.socketLookup),
    input.maxConnections !== undefined && input.maxConnections < 0
      ? {
          field: 'max-connections',
          message: 'Max connections cannot be negative (0 is unlimited).',
        }
      : null,
  ].filter((p): p is Problem => p !== null);
  problems.push(...bitmapProblems(live, input));
  const notWritable = input.writable ? writableRefusal(live, input.node) : null;
  if (notWritable) problems.push({ field: 'writable', message: notWritable });
  if (problems.length > 0) return refuse(...problems);

  const steps: PlanStep[] = [];
  if (!running) {
    const args: JsonObject = { addr: legacySocketAddress(address) };
    if (input.maxConnections !== undefined) args['max-connections'] = input.maxConnections;
    steps.push({
      title: 'Start the NBD server',
      explanation: `QEMU listens for NBD clients on ${describeAddress(address)}.`,
      command: 'nbd-server-start',
      arguments: args,
      // looked at again just before the step: a file that appeared meanwhile stops the plan
      ...(address.type === 'unix'
        ? { createsFile: { path: address.path, overwriteConfirmed: false } }
        : {}),
      undo: { command: 'nbd-server-stop', arguments: {} },
    });
  }

  // A recording bitmap cannot go out read-only: publish a frozen copy of it instead.
  const exported: string[] = [];
  const freezes: JsonObject[] = [];
  for (const name of input.bitmaps) {
    const bitmap = findBitmap(live, input.node, name);
    if (input.writable || !bitmap?.recording) {
      exported.push(name);
      continue;
    }
    const frozen = uniqueName(
      `${name}-frozen`,
      (n) => findBitmap(live, input.node, n) !== undefined,
    );
    exported.push(frozen);
    freezes.push(
      { type: 'block-dirty-bitmap-add', data: { node: input.node, name: frozen, disabled: true } },
      {
        type: 'block-dirty-bitmap-merge',
        data: { node: input.node, target: frozen, bitmaps: [name] },
      },
    );
  }
  if (freezes.length > 0) {
    steps.push({
      title: 'Freeze the bitmaps for the export',
      explanation: `A read-only export can only publish bitmaps that stopped recording: ${exported.filter((e) => !input.bitmaps.includes(e)).join(', ')} are disabled copies taken now, in one transaction.`,
      command: 'transaction',
      arguments: { actions: freezes },
    });
  }

  const args: JsonObject = {
    type: 'nbd',
    id: input.id,
    'node-name': input.node,
    name: input.name,
    writable: input.writable,
  };
  if (exported.length > 0) args.bitmaps = exported;
  if (input.allocationDepth) args['allocation-depth'] = true;
  const uri = running && !known ? undefined : nbdUri(address, input.name);
  const where = uri ?? `export name '${input.name}' on the running NBD server`;
  steps.push({
    title: 'Add the export',
    explanation: `Clients can then ${input.writable ? 'read and write' : 'read'} '${input.node}' at ${where}.`,
    command: 'block-export-add',
    arguments: args,
  });
  return planned({
    summary: `Export '${input.node}' ${input.writable ? 'writable' : 'read-only'} over NBD at ${where}.`,
    steps,
    jobIds: [],
    result: { uri, exportId: input.id },
    warnings: input.writable
      ? ['A writable export lets any client that reaches the address change the disk.']
      : [],
  });
}

/** Remove an export; `hard` disconnects clients still attached (otherwise QEMU refuses). */
export function planExportRemove(live: LiveState, id: string, hard = false): PlanResult {
  if (!live.exports.some((e) => e.id === id)) {
    return refuse({ field: 'id', message: `There is no export '${id}'.` });
  }
  return planned({
    summary: `Remove export '${id}'${hard ? ', disconnecting its clients' : ''}.`,
    steps: [
      {
        title: 'Remove the export',
        explanation: hard
          ? 'Connected clients are disconnected.'
          : 'QEMU refuses while a client is connected; use "disconnect clients" then.',
        command: 'block-export-del',
        arguments: hard ? { id, mode: 'hard' } : { id },
      },
    ],
    jobIds: [],
  });
}

export function planNbdServerStop(live: LiveState): PlanResult {
  const nbd = live.exports.filter((e) => e.type === 'nbd');
  const count = nbd.length;
  return planned({
    // QEMU lists no NBD clients, so every export is named: anyone reading one is cut off.
    warnings:
      count > 0
        ? [
            `Every client reading ${nbd.map((e) => `'${e.id}'`).join(', ')} is disconnected at once.`,
          ]
        : [],
    summary: `Stop the NBD server${count > 0 ? ` and remove its ${count} export(s)` : ''}.`,
    steps: [
      {
        title: 'Stop the NBD server',
        explanation: 'QEMU closes the listening socket and removes every NBD export.',
        command: 'nbd-server-stop',
        arguments: {},
      },
    ],
    jobIds: [],
  });
}
