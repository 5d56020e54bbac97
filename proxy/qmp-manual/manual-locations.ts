// Where the QMP reference manual of the QEMU that Blockscope talks to is installed. Debian and
// Ubuntu ship it with qemu-system-common (and qemu-utils for the storage daemon's) under
// /usr/share/man/man7. A build unpacked elsewhere (BLOCKSCOPE_QEMU_SYSTEM, proxy/qemu/binaries.ts)
// keeps the same layout under its own prefix, so its manual is looked for there first.
import { dirname, join, resolve } from 'node:path';
import { qemuBinaries } from '../qemu/binaries.ts';
import type { ManualProgram } from './manual-file.ts';

const FILES: Record<ManualProgram, string> = {
  'qemu-system': 'qemu-qmp-ref.7.gz',
  'qemu-storage-daemon': 'qemu-storage-daemon-qmp-ref.7.gz',
};

/** Candidate paths for a program's manual, most specific first. */
export function manualCandidates(
  program: ManualProgram,
  env: NodeJS.ProcessEnv = process.env,
): string[] {
  const binaries = qemuBinaries(env);
  const binary = program === 'qemu-system' ? binaries.system : binaries.storageDaemon;
  const prefixes = binary.includes('/') ? [resolve(dirname(binary), '..')] : [];
  prefixes.push('/usr', '/usr/local');
  return [...new Set(prefixes)].map((prefix) => join(prefix, 'share/man/man7', FILES[program]));
}
