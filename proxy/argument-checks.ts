// Argument checks for the operator's block commands: file paths stay inside --allow-path
// directories, NBD and vhost-user servers listen on loopback or a unix socket, object-add and
// qom-set touch throttle settings only. Paths are compared after realpath, with a separator, so
// `root/../etc` and symlinks that leave the root are caught (websockify's prefix check was not).
import { realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, resolve, sep } from 'node:path';
import { ProxyErrorClass } from '../src/qmp/errors.ts';
import type { JsonObject, JsonValue, QmpErrorBody } from '../src/qmp/wire.ts';
import { OPERATOR_OBJECT_TYPES, OPERATOR_QOM_PROPERTIES } from './command-lists.ts';

export interface ArgumentPolicy {
  /** Real paths of the --allow-path directories. */
  allowDirs: string[];
  /** --allow-remote-nbd: NBD/vhost-user servers may listen on any address. */
  allowRemoteNbd: boolean;
}

/** Keys whose string value names a file QEMU opens or creates, wherever they appear in a tree. */
const FILE_KEYS = new Set(['filename', 'dir', 'config', 'mountpoint', 'snapshot-file']);
/** Top-level keys that are file paths for specific commands. */
const TOP_LEVEL_FILES: Record<string, string[]> = {
  'drive-mirror': ['target'],
  'drive-backup': ['target'],
  'blockdev-snapshot-sync': ['snapshot-file'],
  'blockdev-change-medium': ['filename'],
};
/**
 * Block drivers that open a network connection or a host device on their own. An `nbd` client may
 * reach loopback or an allowed unix socket (checked like a server address); the rest are refused,
 * or a blockdev-add would let the operator make QEMU connect anywhere its host can reach.
 */
const REMOTE_DRIVERS = new Set([
  'http',
  'https',
  'ftp',
  'ftps',
  'ssh',
  'iscsi',
  'gluster',
  'rbd',
  'nfs',
  'nvme',
  'nvme-io_uring',
  'virtio-blk-vfio-pci',
  'virtio-blk-vhost-user',
  'virtio-blk-vhost-vdpa',
]);
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost', '0:0:0:0:0:0:0:1']);

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The real path of `path`, resolving the longest existing ancestor for files not yet created. */
function realPathOf(path: string): string {
  let existing = path;
  const rest: string[] = [];
  for (;;) {
    try {
      return resolve(realpathSync(existing), ...rest);
    } catch {
      const parent = dirname(existing);
      if (parent === existing) return path;
      rest.unshift(basename(existing));
      existing = parent;
    }
  }
}

export function pathAllowed(path: string, allowDirs: string[]): boolean {
  if (!isAbsolute(path) || path.includes('\0')) return false;
  const real = realPathOf(resolve(path));
  return allowDirs.some(
    (dir) => real === dir || real.startsWith(dir.endsWith(sep) ? dir : dir + sep),
  );
}

export function realAllowDirs(dirs: string[]): string[] {
  return dirs.map((dir) => realPathOf(resolve(dir)));
}

const pathError = (path: string, where: string): QmpErrorBody => ({
  class: ProxyErrorClass.PathNotAllowed,
  desc: `${where} '${path}' is outside the directories allowed by --allow-path (absolute paths only)`,
});

/** Walks a tree of arguments and checks every file-valued member. */
function checkFileKeys(
  value: JsonValue | undefined,
  policy: ArgumentPolicy,
  at: string,
): QmpErrorBody | null {
  if (Array.isArray(value)) {
    for (const item of value) {
      const error = checkFileKeys(item, policy, at);
      if (error) return error;
    }
    return null;
  }
  if (!isObject(value)) return null;
  if (typeof value.driver === 'string' && REMOTE_DRIVERS.has(value.driver)) {
    return {
      class: ProxyErrorClass.Denied,
      desc: `${at || 'driver'}: the ${value.driver} driver reaches outside this host and is not allowed`,
    };
  }
  if (value.driver === 'nbd') {
    const error = checkListenAddress(value.server, policy, at ? `${at}.server` : 'server');
    if (error) return error;
  }
  for (const [key, member] of Object.entries(value)) {
    const where = at ? `${at}.${key}` : key;
    if (FILE_KEYS.has(key) && typeof member === 'string') {
      if (!pathAllowed(member, policy.allowDirs)) return pathError(member, where);
    } else {
      const error = checkFileKeys(member, policy, where);
      if (error) return error;
    }
  }
  return null;
}

/** SocketAddress (flat) or SocketAddressLegacy ({type, data}); unix paths are files too. */
function checkListenAddress(
  address: JsonValue | undefined,
  policy: ArgumentPolicy,
  where: string,
): QmpErrorBody | null {
  if (!isObject(address)) return null;
  const flat: JsonObject = isObject(address.data)
    ? { ...address.data, type: address.type ?? null }
    : address;
  if (flat.type === 'unix' && typeof flat.path === 'string') {
    return pathAllowed(flat.path, policy.allowDirs) ? null : pathError(flat.path, `${where}.path`);
  }
  if (policy.allowRemoteNbd) return null;
  if (flat.type === 'inet' && typeof flat.host === 'string' && LOOPBACK_HOSTS.has(flat.host))
    return null;
  return {
    class: ProxyErrorClass.Denied,
    desc: `${where}: NBD addresses are loopback (127.0.0.1, ::1) or a unix socket unless --allow-remote-nbd is given`,
  };
}

/** Checks one command's arguments; returns the refusal, or null when the arguments are acceptable. */
export function checkArguments(
  command: string,
  args: JsonObject,
  policy: ArgumentPolicy,
): QmpErrorBody | null {
  for (const key of TOP_LEVEL_FILES[command] ?? []) {
    const value = args[key];
    if (typeof value === 'string' && !pathAllowed(value, policy.allowDirs))
      return pathError(value, key);
  }
  switch (command) {
    case 'transaction': {
      const actions = Array.isArray(args.actions) ? args.actions : [];
      for (const action of actions) {
        if (!isObject(action) || typeof action.type !== 'string') continue;
        const error = checkArguments(action.type, isObject(action.data) ? action.data : {}, policy);
        if (error) return error;
      }
      return null;
    }
    case 'nbd-server-start':
      return checkListenAddress(args.addr, policy, 'addr');
    case 'block-export-add':
      return checkListenAddress(args.addr, policy, 'addr') ?? checkFileKeys(args, policy, '');
    case 'object-add':
      return OPERATOR_OBJECT_TYPES.has(String(args['qom-type']))
        ? null
        : {
            class: ProxyErrorClass.Denied,
            desc: `object-add: only ${[...OPERATOR_OBJECT_TYPES].join(', ')} objects may be created`,
          };
    case 'qom-set':
      return OPERATOR_QOM_PROPERTIES.has(String(args.property))
        ? null
        : {
            class: ProxyErrorClass.Denied,
            desc: `qom-set: only the properties ${[...OPERATOR_QOM_PROPERTIES].join(', ')} may be set`,
          };
    case 'blockdev-add':
    case 'blockdev-create':
    case 'blockdev-reopen':
    case 'x-blockdev-amend':
    case 'blockdev-amend':
    case 'blockdev-change-medium':
      return checkFileKeys(args, policy, '');
    default:
      return null;
  }
}
