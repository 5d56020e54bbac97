// Argument checks for the operator's block commands, walked along the live schema (schema-walk.ts):
// every string member is a file name inside --allow-path or is classified as no file
// (file-members.ts); format nodes name their backing explicitly, as libvirt always does, so QEMU
// never follows a backing name from an image header; drivers that reach the network, or read
// files an image names, are refused or left to the header checks that run just before the
// command is sent (image-checks.ts); NBD and vhost-user servers listen on loopback or a unix
// socket; object-add and qom-set touch throttle settings only.
import { ProxyErrorClass } from '../src/qmp/errors.ts';
import type { SchemaIndex } from '../src/schema/schema-index.ts';
import type { JsonObject, JsonValue, QmpErrorBody } from '../src/qmp/wire.ts';
import { fileNameProblem } from './allowed-paths.ts';
import { OPERATOR_OBJECT_TYPES, OPERATOR_QOM_PROPERTIES } from './command-lists.ts';
import { memberMeaning } from './file-members.ts';
import type { ImageCheck } from './image-checks.ts';
import { openByNameCheck, REFUSED_DRIVERS } from './open-by-name.ts';
import { walkArguments, type BranchVisit, type StringVisit } from './schema-walk.ts';

export { pathAllowed, realAllowDirs } from './allowed-paths.ts';

export interface ArgumentPolicy {
  /** Real paths of the --allow-path directories. */
  allowDirs: string[];
  /** --allow-remote-nbd: NBD/vhost-user servers may listen on any address. */
  allowRemoteNbd: boolean;
}

export interface ArgumentReview {
  refusal: QmpErrorBody | null;
  /** Header checks to run against QEMU and the image files right before the command is sent. */
  imageChecks: ImageCheck[];
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost', '0:0:0:0:0:0:0:1']);

const isObject = (value: JsonValue | undefined): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const denied = (desc: string): QmpErrorBody => ({ class: ProxyErrorClass.Denied, desc });

/** SocketAddress (flat) or SocketAddressLegacy ({type, data}) that is not a unix socket. */
function listenAddressProblem(
  address: JsonObject,
  policy: ArgumentPolicy,
  where: string,
): QmpErrorBody | null {
  if (policy.allowRemoteNbd) return null;
  const flat: JsonObject = isObject(address.data)
    ? { ...address.data, type: address.type ?? null }
    : address;
  if (flat.type === 'inet' && typeof flat.host === 'string' && LOOPBACK_HOSTS.has(flat.host)) {
    return null;
  }
  return denied(
    `${where || 'addr'}: NBD addresses are loopback (127.0.0.1, ::1) or a unix socket unless --allow-remote-nbd is given`,
  );
}

function stringProblem(
  visit: StringVisit,
  policy: ArgumentPolicy,
  checks: ImageCheck[],
): QmpErrorBody | null {
  const meaning = memberMeaning(visit.context, visit.member);
  if (meaning === 'not-a-file') return null;
  if (meaning === 'unclassified') {
    return denied(
      `${visit.at}: '${visit.member}' (in ${visit.context}) is a member Blockscope has not classified as a file name or not; it is refused until it is`,
    );
  }
  if (meaning === 'path') return fileNameProblem(visit.value, visit.at, policy.allowDirs);
  const where = `${visit.at} (written into the image header)`;
  const problem = fileNameProblem(visit.value, where, policy.allowDirs);
  // A backing name outside --allow-path may still be a file QEMU already has open (a chain's base
  // on the VM's own storage, as a mirror of the top layer names it): asked just before sending.
  if (problem && visit.value.startsWith('/') && !visit.value.includes('\0')) {
    checks.push({ kind: 'open-file', at: where, path: visit.value });
    return null;
  }
  return problem;
}

function branchProblem(
  command: string,
  visit: BranchVisit,
  policy: ArgumentPolicy,
  checks: ImageCheck[],
): QmpErrorBody | null {
  const at = visit.at || 'arguments';
  if (visit.tag === 'type' && ['inet', 'vsock', 'fd'].includes(visit.branch)) {
    return listenAddressProblem(visit.value, policy, visit.at);
  }
  if (visit.tag !== 'driver') return null;
  const refused = REFUSED_DRIVERS.get(visit.branch);
  if (refused) return denied(`${at}: the ${visit.branch} driver ${refused} and is not allowed`);
  const has = (member: string) => visit.members.some((m) => m.name === member);
  // A format node that can have a backing child follows the name in its image header unless told
  // otherwise (qapi/block-core.json BlockdevOptionsGenericCOWFormat): libvirt always says.
  if (!has('backing')) return null;
  if (visit.value.backing === undefined) {
    return denied(
      `${at}: a ${visit.branch} node needs an explicit 'backing' (a node name, null, or an inline tree) so QEMU does not open the backing file its header names`,
    );
  }
  // blockdev-reopen's own options restate nodes already open: QEMU keeps their data file and
  // extents (only `file` and `backing` can change), so only new inline trees are read.
  const reopened = command === 'blockdev-reopen' && /^options\[\d+\]$/.test(visit.at);
  if (reopened) return null;
  if (visit.branch === 'vmdk' || (has('data-file') && visit.value['data-file'] === undefined)) {
    checks.push({ kind: 'format-node', at, driver: visit.branch, file: visit.value.file ?? null });
  }
  return null;
}

function commandProblem(command: string, args: JsonObject): QmpErrorBody | null {
  switch (command) {
    case 'object-add':
      return OPERATOR_OBJECT_TYPES.has(String(args['qom-type']))
        ? null
        : denied(
            `object-add: only ${[...OPERATOR_OBJECT_TYPES].join(', ')} objects may be created`,
          );
    case 'qom-set':
      return OPERATOR_QOM_PROPERTIES.has(String(args.property))
        ? null
        : denied(
            `qom-set: only the properties ${[...OPERATOR_QOM_PROPERTIES].join(', ')} may be set`,
          );
    default:
      return null;
  }
}

/** Checks one command's arguments; the refusal, or the header checks still to run before sending. */
export function reviewArguments(
  command: string,
  args: JsonObject,
  policy: ArgumentPolicy,
  index: SchemaIndex,
): ArgumentReview {
  const imageChecks: ImageCheck[] = [];
  const refuse = (refusal: QmpErrorBody): ArgumentReview => ({ refusal, imageChecks: [] });
  const early = commandProblem(command, args);
  if (early) return refuse(early);
  const walked = walkArguments(index, command, args, {
    string: (visit) => stringProblem(visit, policy, imageChecks),
    branch: (visit) => branchProblem(command, visit, policy, imageChecks),
  });
  if (walked) return refuse(walked);
  const actions =
    command === 'transaction' && Array.isArray(args.actions)
      ? args.actions.filter(isObject).map((a) => ({
          command: String(a.type),
          args: isObject(a.data) ? a.data : {},
        }))
      : [{ command, args }];
  for (const action of actions) {
    const opened = openByNameCheck(action.command, action.args);
    if (opened && 'refusal' in opened) return refuse(opened.refusal);
    if (opened) imageChecks.push(opened.check);
  }
  return { refusal: null, imageChecks };
}
