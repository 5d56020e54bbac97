// Command-line configuration for `blockscope serve` and `blockscope demo`.
// Errors are ConfigError with one line of text; main() prints it and exits non-zero.
import { parseArgs } from 'node:util';
import { parseExpose, type ExposeConfig } from './expose-config.ts';
import { proxmoxRefusal, proxmoxVmid } from './proxmox.ts';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** An address the proxy connects to itself. */
export type SocketAddress =
  { type: 'unix'; path: string } | { type: 'tcp'; host: string; port: number };

/** A QMP unix socket on another host, reached through an OpenSSH forward (ssh-tunnel.ts). */
export interface SshAddress {
  type: 'ssh';
  user?: string;
  host: string;
  port?: number;
  /** The socket's absolute path on that host. */
  path: string;
}

export type TargetAddress = SocketAddress | SshAddress;

export interface TargetConfig {
  name: string;
  address: TargetAddress;
}

export interface ServerConfig {
  listen: { host: string; port: number };
  targets: TargetConfig[];
  tokenFile?: string;
  viewerTokenFile?: string;
  auditLog?: string;
  allowPaths: string[];
  qapiDocs?: string;
  /** --qmp-manual: QMP reference manual pages to use instead of the installed ones. */
  qmpManuals?: string[];
  /** --allow-command: lifts the built-in refusal of commands outside the block layer. */
  allowCommands?: string[];
  /** --allow-host: extra Host header values (a reverse proxy's name), besides the listen address. */
  allowHosts?: string[];
  /** --allow-remote-nbd: NBD and vhost-user servers may listen on non-loopback addresses. */
  allowRemoteNbd?: boolean;
  /** --tls-cert and --tls-key (PEM files); required to listen on a non-loopback address. */
  tls?: { cert: string; key: string };
  /** --libvirt: connection URIs whose running guests are all targets (libvirt/libvirt-uris.ts). */
  libvirt?: string[];
  /** --libvirt-allow-writes: relay mutating commands to libvirt guests too. */
  libvirtAllowWrites?: boolean;
  /** --ssh-config: an ssh_config file for ssh:// targets (ssh -F). */
  sshConfig?: string;
  /** --target-dir: directories whose QMP sockets are all targets (target-dir.ts). */
  targetDirs?: string[];
  /** --expose: directories where every target gets a plain QMP socket (exposed-sockets.ts). */
  expose?: ExposeConfig[];
}

export const TARGET_NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
const TARGET_FORMS =
  'expected NAME=unix:PATH, NAME=tcp:HOST:PORT or NAME=ssh://[USER@]HOST[:PORT]/PATH';

/**
 * ssh://[USER@]HOST[:PORT]/ABSOLUTE/PATH. The parts go to ssh as separate arguments, so none may
 * start with '-' (an option) and the path has no ':' (the separator of ssh's -L forward).
 */
export function parseSshAddress(url: string): SshAddress | string {
  const match =
    /^ssh:\/\/(?:([A-Za-z0-9._][A-Za-z0-9._-]{0,63})@)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_][A-Za-z0-9._-]{0,252})(?::(\d{1,5}))?(\/.*)$/.exec(
      url,
    );
  if (!match?.[2] || !match[4]) return 'expected ssh://[USER@]HOST[:PORT]/ABSOLUTE/PATH';
  const [, user, host, port, path] = match;
  if (!/^(\/[A-Za-z0-9._+@-]+)+$/.test(path) || path.split('/').some((p) => p === '..')) {
    return `the remote path ${JSON.stringify(path)} must be absolute and use only letters, digits and . _ + @ - between slashes`;
  }
  const address: SshAddress = { type: 'ssh', host: host.replace(/^\[|\]$/g, ''), path };
  if (user) address.user = user;
  if (port !== undefined) {
    const n = Number(port);
    if (n < 1 || n > 65535) return 'port out of range';
    address.port = n;
  }
  return address;
}

export function parseTarget(spec: string): TargetConfig {
  const eq = spec.indexOf('=');
  if (eq <= 0) throw new ConfigError(`--target ${spec}: ${TARGET_FORMS}`);
  const name = spec.slice(0, eq);
  const address = spec.slice(eq + 1);
  if (!TARGET_NAME.test(name)) {
    throw new ConfigError(
      `--target ${spec}: the name must start with a letter and use letters, digits, '.', '-', '_'`,
    );
  }
  if (address.startsWith('unix:') && address.length > 5) {
    const path = address.slice(5);
    const vmid = proxmoxVmid(path);
    if (vmid !== null) throw new ConfigError(proxmoxRefusal(spec, name, vmid));
    return { name, address: { type: 'unix', path } };
  }
  if (address.startsWith('ssh://')) {
    const ssh = parseSshAddress(address);
    if (typeof ssh === 'string') throw new ConfigError(`--target ${spec}: ${ssh}`);
    return { name, address: ssh };
  }
  const tcp = /^tcp:(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(address);
  if (tcp?.[1] && tcp[2]) {
    const port = Number(tcp[2]);
    if (port < 1 || port > 65535) throw new ConfigError(`--target ${spec}: port out of range`);
    return { name, address: { type: 'tcp', host: tcp[1].replace(/^\[|\]$/g, ''), port } };
  }
  throw new ConfigError(`--target ${spec}: ${TARGET_FORMS}`);
}

export function parseListen(spec: string): { host: string; port: number } {
  const match = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(spec) ?? /^()(\d{1,5})$/.exec(spec);
  const port = Number(match?.[2]);
  if (!match || !(port >= 0 && port <= 65535)) {
    throw new ConfigError(`--listen ${spec}: expected HOST:PORT, for example 127.0.0.1:7780`);
  }
  return { host: (match[1] || '127.0.0.1').replace(/^\[|\]$/g, ''), port };
}

export const DEFAULT_LISTEN = '127.0.0.1:7780';

/** The token would cross the network in clear text: a non-loopback address needs TLS. */
export function checkListenSafety(host: string, tls: boolean): void {
  const loopback = host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
  if (!loopback && !tls) {
    throw new ConfigError(
      `--listen ${host}: refusing to serve a non-loopback address without TLS; add --tls-cert and --tls-key, or listen on 127.0.0.1`,
    );
  }
}

export function parseServerArgs(
  argv: string[],
  { requireTargets }: { requireTargets: boolean },
): ServerConfig {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        target: { type: 'string', multiple: true },
        listen: { type: 'string' },
        'token-file': { type: 'string' },
        'viewer-token-file': { type: 'string' },
        'audit-log': { type: 'string' },
        'allow-path': { type: 'string', multiple: true },
        'qapi-docs': { type: 'string' },
        'qmp-manual': { type: 'string', multiple: true },
        'allow-command': { type: 'string', multiple: true },
        'allow-host': { type: 'string', multiple: true },
        'allow-remote-nbd': { type: 'boolean' },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        libvirt: { type: 'string', multiple: true },
        'libvirt-allow-writes': { type: 'boolean' },
        'ssh-config': { type: 'string' },
        'target-dir': { type: 'string', multiple: true },
        expose: { type: 'string', multiple: true },
      },
    }));
  } catch (error) {
    throw new ConfigError((error as Error).message.split('\n')[0] ?? 'invalid arguments');
  }
  const targets = (values.target ?? []).map(parseTarget);
  const names = new Set<string>();
  for (const t of targets) {
    if (names.has(t.name)) throw new ConfigError(`--target: the name '${t.name}' is used twice`);
    names.add(t.name);
  }
  const libvirt = values.libvirt ?? [];
  const targetDirs = values['target-dir'] ?? [];
  if (requireTargets && targets.length === 0 && libvirt.length === 0 && targetDirs.length === 0) {
    throw new ConfigError(
      'no --target, --target-dir or --libvirt given; for example --target vm1=unix:/run/vm1/qmp.sock or --libvirt qemu:///system',
    );
  }
  const sshConfig = values['ssh-config'];
  if (sshConfig !== undefined && !targets.some((t) => t.address.type === 'ssh')) {
    throw new ConfigError('--ssh-config needs a --target NAME=ssh://…');
  }
  if (values['libvirt-allow-writes'] && libvirt.length === 0) {
    throw new ConfigError('--libvirt-allow-writes needs --libvirt URI');
  }
  const expose = (values.expose ?? []).map(parseExpose);
  const exposeDirs = new Set<string>();
  for (const { dir } of expose) {
    if (exposeDirs.has(dir)) throw new ConfigError(`--expose ${dir}: given twice`);
    exposeDirs.add(dir);
  }
  const listen = parseListen(values.listen ?? DEFAULT_LISTEN);
  const tlsCert = values['tls-cert'];
  const tlsKey = values['tls-key'];
  if ((tlsCert === undefined) !== (tlsKey === undefined)) {
    throw new ConfigError('--tls-cert and --tls-key go together');
  }
  const tls = tlsCert && tlsKey ? { cert: tlsCert, key: tlsKey } : undefined;
  checkListenSafety(listen.host, tls !== undefined);
  for (const name of values['allow-command'] ?? []) {
    if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(name)) {
      throw new ConfigError(`--allow-command ${name}: expected a QMP command name`);
    }
  }
  for (const host of values['allow-host'] ?? []) {
    if (!/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/.test(host)) {
      throw new ConfigError(`--allow-host ${host}: expected HOST or HOST:PORT`);
    }
  }
  return {
    listen,
    allowCommands: values['allow-command'] ?? [],
    allowHosts: values['allow-host'] ?? [],
    allowRemoteNbd: values['allow-remote-nbd'] ?? false,
    ...(tls ? { tls } : {}),
    targets,
    tokenFile: values['token-file'],
    viewerTokenFile: values['viewer-token-file'],
    auditLog: values['audit-log'],
    allowPaths: values['allow-path'] ?? [],
    qapiDocs: values['qapi-docs'],
    qmpManuals: values['qmp-manual'] ?? [],
    libvirt,
    libvirtAllowWrites: values['libvirt-allow-writes'] ?? false,
    ...(sshConfig !== undefined ? { sshConfig } : {}),
    targetDirs,
    expose,
  };
}
