// Which QEMU programs to run. Environment variables let the same suites and the demo run against
// another QEMU build (for example one unpacked from a backports suite) without touching the system's.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export interface QemuBinaries {
  system: string;
  storageDaemon: string;
  img: string;
  io: string;
  /** Extra arguments for qemu-system, such as `-L <datadir>` for an unpacked build. */
  systemArgs: string[];
  /** Extra environment for QEMU processes: an unpacked build must not load the system's modules. */
  env: Record<string, string>;
}

export function qemuBinaries(env: NodeJS.ProcessEnv = process.env): QemuBinaries {
  const system = env.BLOCKSCOPE_QEMU_SYSTEM || 'qemu-system-x86_64';
  const sibling = (name: string) => {
    // An unpacked build keeps qemu-img and qemu-io next to qemu-system; prefer those when present.
    if (!system.includes('/')) return name;
    const candidate = join(dirname(system), name);
    return existsSync(candidate) ? candidate : name;
  };
  const dataDir =
    env.BLOCKSCOPE_QEMU_DATADIR ?? unpackedDir(system, ['share/qemu', 'share/seabios']);
  return {
    system,
    storageDaemon: env.BLOCKSCOPE_QSD || sibling('qemu-storage-daemon'),
    img: env.BLOCKSCOPE_QEMU_IMG || sibling('qemu-img'),
    io: env.BLOCKSCOPE_QEMU_IO || sibling('qemu-io'),
    // A colon-separated list gives several -L directories (QEMU searches them in order), e.g. an
    // unpacked build's own data directory and its matching firmware.
    systemArgs: (dataDir ?? '')
      .split(':')
      .filter(Boolean)
      .flatMap((dir) => ['-L', dir]),
    env: moduleEnv(env, system),
  };
}

// QEMU loads device and UI modules from a directory fixed at build time, which for an unpacked
// build is the system QEMU's, whose modules it refuses (their devices then seem not to exist).
function moduleEnv(env: NodeJS.ProcessEnv, system: string): Record<string, string> {
  const dir = env.BLOCKSCOPE_QEMU_MODULE_DIR ?? unpackedDir(system, ['lib/x86_64-linux-gnu/qemu']);
  return dir ? { QEMU_MODULE_DIR: dir } : {};
}

// A build unpacked with `dpkg -x` (scripts/provide-qemu.mjs) keeps the usual /usr layout under its
// own root, so `BLOCKSCOPE_QEMU_SYSTEM=<root>/usr/bin/qemu-system-x86_64` alone is enough: its data
// and module directories are found beside it. The system's own /usr is never picked this way.
function unpackedDir(system: string, relatives: string[]): string | undefined {
  if (!system.includes('/')) return undefined;
  const prefix = resolve(dirname(system), '..');
  if (prefix === '/usr' || prefix === '/usr/local') return undefined;
  const found = relatives.map((rel) => join(prefix, rel)).filter((dir) => existsSync(dir));
  return found.length ? found.join(':') : undefined;
}
