// Which QEMU the test libvirt's guests run. With the system's QEMU libvirt picks it itself. For
// another build (the matrix leg's QEMU 10.0, BLOCKSCOPE_QEMU_SYSTEM) the guest's <emulator> is a
// small script that runs that build with its data directories (-L) and its own module directory
// (QEMU_MODULE_DIR): libvirt starts QEMU with a clean environment and its own arguments, so
// without the script QEMU 10.0 would read the system 7.2's firmware and modules. libvirt probes
// the script like any emulator; QEMU runs as libvirt-qemu, so every directory on the way to the
// build must be readable by others.
import { chmodSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { QemuBinaries } from '../../proxy/qemu/binaries.ts';

const quote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

/** The <emulator> path for guests, or null to let libvirt use the system's QEMU. */
export function libvirtEmulator(dir: string, binaries: QemuBinaries): string | null {
  const { system } = binaries;
  if (!system.includes('/') || resolve(dirname(system)) === '/usr/bin') return null;
  const script = join(dir, 'qemu-system-x86_64');
  const env = Object.entries(binaries.env).map(([key, value]) => `${key}=${quote(value)}`);
  writeFileSync(
    script,
    [
      '#!/bin/sh',
      `exec env ${env.join(' ')} ${quote(resolve(system))} ${binaries.systemArgs.map(quote).join(' ')} "$@"`,
      '',
    ].join('\n'),
  );
  chmodSync(script, 0o755);
  return script;
}
