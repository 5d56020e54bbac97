// Which QEMU programs to run. Environment variables let the same suites and the demo run against
// another QEMU build (for example one unpacked from a backports suite) without touching the system's.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface QemuBinaries {
  system: string;
  storageDaemon: string;
  img: string;
  io: string;
  /** Extra arguments for qemu-system, such as `-L <datadir>` for an unpacked build. */
  systemArgs: string[];
}

export function qemuBinaries(env: NodeJS.ProcessEnv = process.env): QemuBinaries {
  const system = env.BLOCKSCOPE_QEMU_SYSTEM || 'qemu-system-x86_64';
  const sibling = (name: string) => {
    // An unpacked build keeps qemu-img and qemu-io next to qemu-system; prefer those when present.
    if (!system.includes('/')) return name;
    const candidate = join(dirname(system), name);
    return existsSync(candidate) ? candidate : name;
  };
  const dataDir = env.BLOCKSCOPE_QEMU_DATADIR;
  return {
    system,
    storageDaemon: env.BLOCKSCOPE_QSD || sibling('qemu-storage-daemon'),
    img: env.BLOCKSCOPE_QEMU_IMG || sibling('qemu-img'),
    io: env.BLOCKSCOPE_QEMU_IO || sibling('qemu-io'),
    systemArgs: dataDir ? ['-L', dataDir] : [],
  };
}
