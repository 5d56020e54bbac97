// The few reads Blockscope asks of libvirt, through libvirt's own client (virsh): which guests run,
// and each guest's disks. Nothing here changes a domain. For a remote URI (qemu+ssh://…) virsh
// reaches the host through libvirt's transport with the operator's SSH keys and known_hosts.
import { execFile } from 'node:child_process';
import type { LibvirtDisk } from '../target-set.ts';

export class VirshError extends Error {
  override name = 'VirshError';
}

/** A guest as `virsh list --uuid --name` lists it. */
export interface RunningDomain {
  uuid: string;
  name: string;
}

/** Environment for libvirt's clients: output in the C locale, and never a password prompt. */
export function libvirtClientEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...env, LC_ALL: 'C', LANG: 'C', SSH_ASKPASS_REQUIRE: 'never', DISPLAY: '' };
}

/** Runs `virsh -c URI ARGS…`; rejects with virsh's own error line when it fails. */
export function virsh(uri: string, args: string[], timeoutMs = 20_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'virsh',
      ['--quiet', '-c', uri, ...args],
      { env: libvirtClientEnv(), timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (!error) return resolve(stdout);
        const said = firstErrorLine(stderr);
        const timedOut = (error as { killed?: boolean }).killed === true;
        reject(
          new VirshError(
            timedOut ? `virsh ${args[0]}: no answer within ${timeoutMs / 1000} s` : said,
          ),
        );
      },
    );
  });
}

/** virsh's "error: …" lines, joined; the whole text when there are none. */
export function firstErrorLine(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  const errors = lines.filter((line) => line.startsWith('error:'));
  const chosen = (errors.length ? errors : lines)
    .map((line) => line.replace(/^error:\s*/, ''))
    .join('; ');
  return chosen || 'virsh failed without saying why';
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Parses `virsh list --uuid --name`: "UUID NAME" per running guest. */
export function parseDomainList(text: string): RunningDomain[] {
  const domains: RunningDomain[] = [];
  for (const line of text.split('\n')) {
    const space = line.indexOf(' ');
    if (space < 0) continue;
    const uuid = line.slice(0, space);
    const name = line.slice(space + 1);
    if (UUID.test(uuid) && name) domains.push({ uuid, name });
  }
  return domains;
}

export async function runningDomains(uri: string): Promise<RunningDomain[]> {
  return parseDomainList(await virsh(uri, ['list', '--uuid', '--name']));
}

/**
 * Parses `virsh domblklist --details` (header and rule dropped by --quiet): type, device and
 * target have no spaces; the source is the rest of the line ('-' for an empty drive).
 */
export function parseDiskList(text: string): LibvirtDisk[] {
  const disks: LibvirtDisk[] = [];
  for (const line of text.split('\n')) {
    const match = /^\s*(\S+)\s+(\S+)\s+(\S+)\s+(.*?)\s*$/.exec(line);
    if (!match || /^-+$/.test(match[1]!) || match[1] === 'Type') continue;
    const [, type, device, target, source] = match as unknown as string[];
    disks.push({
      type: type!,
      device: device!,
      target: target!,
      source: source === '-' ? '' : source!,
    });
  }
  return disks;
}

export async function domainDisks(uri: string, uuid: string): Promise<LibvirtDisk[]> {
  return parseDiskList(await virsh(uri, ['domblklist', uuid, '--details']));
}
