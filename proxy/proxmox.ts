// Proxmox VE keeps each VM's QMP monitor at /var/run/qemu-server/VMID.qmp and opens it for every
// command it runs, closing it at once, with a 5 s timeout (qemu-server's QMPClient): a client that
// holds that socket makes Proxmox's own management of the VM time out. So such a --target is
// refused, and the message says how to give the VM a second monitor instead.
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';

const PROXMOX_MONITOR = /^\/(?:var\/)?run\/qemu-server\/([^/]+)\.qmp$/;

/** The VM id when `path` (or what it links to) is a Proxmox monitor socket, else null. */
export function proxmoxVmid(path: string): string | null {
  const candidates = [resolve(path)];
  try {
    candidates.push(realpathSync(path));
  } catch {
    /* not there (yet): the path as written decides */
  }
  for (const candidate of candidates) {
    const match = PROXMOX_MONITOR.exec(candidate);
    if (match?.[1]) return match[1];
  }
  return null;
}

/** The refusal for `--target NAME=unix:PATH` naming Proxmox's monitor, with the recipe. */
export function proxmoxRefusal(spec: string, name: string, vmid: string): string {
  return [
    `--target ${spec}: this is Proxmox's own monitor socket. Proxmox opens it for each command it`,
    'runs and times out while another client holds it, so Blockscope does not connect to it.',
    'Give the VM a second monitor for Blockscope instead:',
    '  mkdir -p /run/blockscope   (and keep it across reboots: echo "d /run/blockscope 0700 root root -" > /etc/tmpfiles.d/blockscope.conf)',
    `  qm set ${vmid} --args '-qmp unix:/run/blockscope/${vmid}.qmp,server=on,wait=off'`,
    `  qm shutdown ${vmid} && qm start ${vmid}   (the monitor appears only when Proxmox starts a new QEMU process)`,
    `  blockscope serve --target ${name}=unix:/run/blockscope/${vmid}.qmp`,
    'See the "Proxmox" section of the README.',
  ].join('\n');
}
