// Command-line configuration for `blockscope serve` and `blockscope demo`.
// Errors are ConfigError with one line of text; main() prints it and exits non-zero.
import { parseArgs } from 'node:util';
import { parseExpose, type ExposeConfig } from './expose-config.ts';
import { proxmoxRefusal, proxmoxVmid } from './proxmox.ts';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export type TargetAddress =
  { type: 'unix'; path: string } | { type: 'tcp'; host: string; port: number };

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
  /** --expose: directories where every target gets a plain QMP socket (exposed-sockets.ts). */
  expose?: ExposeConfig[];
}

const TARGET_NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

export function parseTarget(spec: string): TargetConfig {
  const eq = spec.indexOf('=');
  if (eq <= 0)
    throw new ConfigError(`--target ${spec}: expected NAME=unix:PATH or NAME=tcp:HOST:PORT`);
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
  const tcp = /^tcp:(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(address);
  if (tcp?.[1] && tcp[2]) {
    const port = Number(tcp[2]);
    if (port < 1 || port > 65535) throw new ConfigError(`--target ${spec}: port out of range`);
    return { name, address: { type: 'tcp', host: tcp[1].replace(/^\[|\]$/g, ''), port } };
  }
  throw new ConfigError(`--target ${spec}: expected NAME=unix:PATH or NAME=tcp:HOST:PORT`);
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
  if (requireTargets && targets.length === 0 && libvirt.length === 0) {
    throw new ConfigError(
      'no --target or --libvirt given; for example --target vm1=unix:/run/vm1/qmp.sock or --libvirt qemu:///system',
    );
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
    expose,
  };
}
