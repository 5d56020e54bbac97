// `--expose DIR[,role=viewer|operator][,group=GROUP]`: the directory where the proxy serves a plain
// QMP socket per target (exposed-sockets.ts), the role its clients get, and the group that may use
// the sockets (mode 0660 and that group; without it 0600, the proxy's own user only).
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError } from './config.ts';
import type { Role } from './policy.ts';

export interface ExposeConfig {
  /** Absolute path of the directory. */
  dir: string;
  role: Role;
  /** A group name or number, as given. */
  group?: string;
}

export function parseExpose(spec: string): ExposeConfig {
  const [dir, ...options] = spec.split(',');
  const usage = `--expose ${spec}: expected DIR[,role=viewer|operator][,group=GROUP]`;
  if (!dir) throw new ConfigError(usage);
  const config: ExposeConfig = { dir: resolve(dir), role: 'operator' };
  const seen = new Set<string>();
  for (const option of options) {
    const [key, value, ...more] = option.split('=');
    if (!key || !value || more.length > 0 || seen.has(key)) throw new ConfigError(usage);
    seen.add(key);
    if (key === 'role' && (value === 'viewer' || value === 'operator')) config.role = value;
    else if (key === 'group' && /^[A-Za-z0-9_][A-Za-z0-9_.-]*\$?$/.test(value))
      config.group = value;
    else throw new ConfigError(usage);
  }
  return config;
}

/** The group id of a group name (from /etc/group) or number. */
export function groupId(group: string, groupFile = '/etc/group'): number {
  if (/^\d+$/.test(group)) return Number(group);
  let text = '';
  try {
    text = readFileSync(groupFile, 'utf8');
  } catch {
    /* reported below */
  }
  for (const line of text.split('\n')) {
    const [name, , gid] = line.split(':');
    if (name === group && gid && /^\d+$/.test(gid)) return Number(gid);
  }
  throw new ConfigError(`--expose group=${group}: no such group in ${groupFile}`);
}

/**
 * Checks the --expose directories against what the proxy reads: each must be an existing
 * directory of its own, not one that holds a --target's QMP socket (the proxy would serve its
 * sockets beside QEMU's, and a later look for sockets there would find its own).
 * `inputSockets` are the unix socket paths of the --target monitors, `targetDirs` the --target-dir
 * directories (every socket there is read as a target: the exposed ones would be read back).
 */
export function checkExposeDirs(
  expose: readonly ExposeConfig[],
  inputSockets: readonly string[],
  targetDirs: readonly string[] = [],
) {
  const watched = new Set(targetDirs.map((dir) => realOrSelf(resolve(dir))));
  const inputDirs = new Map<string, string>();
  for (const socket of inputSockets) {
    const dir = realOrSelf(dirname(resolve(socket)));
    if (!inputDirs.has(dir)) inputDirs.set(dir, socket);
  }
  const seen = new Set<string>();
  return expose.map(({ dir, role, group }) => {
    let real: string;
    try {
      real = realpathSync(dir);
      if (!statSync(real).isDirectory()) throw new Error();
    } catch {
      throw new ConfigError(`--expose ${dir}: not an existing directory`);
    }
    if (watched.has(real)) {
      throw new ConfigError(
        `--expose ${dir}: it is also a --target-dir, whose sockets are all read as targets; give the exposed sockets a directory of their own`,
      );
    }
    const socket = inputDirs.get(real);
    if (socket !== undefined) {
      throw new ConfigError(
        `--expose ${dir}: it holds the QMP socket ${socket} of a --target; give the exposed sockets a directory of their own`,
      );
    }
    if (seen.has(real)) throw new ConfigError(`--expose ${dir}: the same directory twice`);
    seen.add(real);
    return { dir: real, role, ...(group !== undefined ? { gid: groupId(group) } : {}) };
  });
}

function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
