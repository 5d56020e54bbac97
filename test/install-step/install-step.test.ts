// The install step brings every program the project starts. Three checks:
//   - the runtime guard (installed in every Vitest and Playwright process) refuses a program that
//     scripts/system-packages.json does not list — shown here once with a program nobody provides;
//   - every spawn site in the project's sources names a provided program, so the scripts and the
//     bench, which run outside the test processes, are held to the same list;
//   - every program the list names is really there after the install step.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DEBIAN_PACKAGES,
  PROVIDED_PROGRAMS,
  UnprovidedProgramError,
  programOf,
} from './provided-programs.ts';
import { findSpawnSites } from './spawn-sites.ts';

const root = join(import.meta.dirname, '../..');

/**
 * Spawn sites whose first argument is an expression: what each can start. A new one fails the
 * test until it is listed here; a listed one that no longer exists fails it too.
 */
const EXPRESSIONS: Record<string, string[]> = {
  'proxy/qemu/images.ts: img': ['qemu-img'],
  'proxy/qemu/images.ts: io': ['qemu-io'],
  'proxy/libvirt/passthrough.ts: PASSTHROUGH_PYTHON': ['python3'],
  // setpriv --pdeathsig … -- ssh: it runs ssh in its own place
  'proxy/ssh-tunnel.ts: SETPRIV': ['setpriv', 'ssh'],
  'proxy/qemu/launch.ts: command': ['qemu-system-x86_64', 'qemu-storage-daemon'],
  'scripts/dev.mjs: command': ['npx', 'node'],
  'scripts/ensure-deps.mjs: command': ['npm', 'apt-get'],
  'scripts/provide-qemu.mjs: command': ['apt-get'],
  "scripts/provide-qemu.mjs: bin('qemu-system-x86_64')": ['qemu-system-x86_64'],
  'scripts/run-matrix.mjs: command': ['npx', 'npm'],
  'scripts/run-matrix.mjs: program': ['qemu-system-x86_64'],
  'scripts/run-tests.mjs: command': ['npx', 'npm'],
  'test/fixtures/operations/vm.ts: qemuBinaries().img': ['qemu-img'],
  'test/harness/libvirt.ts: command': ['virtlogd', 'libvirtd', 'unshare'],
  'test/integration/hardening-images.test.ts: qemuBinaries().img': ['qemu-img'],
  'test/integration/matrix-version.test.ts: program': [
    'qemu-system-x86_64',
    'qemu-storage-daemon',
    'qemu-img',
  ],
};

const SOURCE_DIRS = ['bin', 'bench', 'e2e', 'proxy', 'scripts', 'src', 'test'];

/** The project's source files (this folder aside: its own examples name unprovided programs). */
function projectSources(): string[] {
  return SOURCE_DIRS.flatMap((dir) =>
    readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && (dir === 'bin' || /\.(ts|tsx|mjs|js)$/.test(entry.name)))
      .map((entry) => relative(root, join(entry.parentPath, entry.name))),
  ).filter((file) => !file.startsWith('test/install-step/'));
}

describe('the install step', () => {
  it('refuses, in a test process, a program it does not provide', () => {
    expect(() => spawnSync('cowsay', ['moo'])).toThrow(UnprovidedProgramError);
    expect(() => execFileSync('/usr/games/fortune')).toThrow(/'fortune' is not provided/);
    // A shell line is judged by its first word.
    expect(() => spawnSync('figlet hello', { shell: true })).toThrow(UnprovidedProgramError);
    // What it provides still runs.
    expect(spawnSync('qemu-img', ['--version'], { encoding: 'utf8' }).stdout).toMatch(/qemu-img/);
  });

  it('finds an unprovided program in source text, and skips comments', () => {
    const source = [
      "import { spawnSync, execFile } from 'node:child_process';",
      'const run = promisify(execFile);',
      "// spawnSync('not-this-one') is prose",
      "spawnSync('cowsay', ['moo']);",
      "await run('/usr/bin/figlet', ['x']);",
      'spawn(binary, args);',
    ].join('\n');
    expect(findSpawnSites(source)).toEqual([
      { line: 4, program: 'cowsay', argument: "'cowsay'" },
      { line: 5, program: '/usr/bin/figlet', argument: "'/usr/bin/figlet'" },
      { line: 6, program: null, argument: 'binary' },
    ]);
  });

  it("provides every program that the project's sources start", () => {
    const unprovided: string[] = [];
    const seen = new Set<string>();
    for (const file of projectSources()) {
      for (const site of findSpawnSites(readFileSync(join(root, file), 'utf8'))) {
        if (site.argument === 'process.execPath') continue;
        const where = `${file}:${site.line}`;
        if (site.program !== null) {
          const program = programOf(site.program, false);
          if (!PROVIDED_PROGRAMS.has(program)) unprovided.push(`${where} starts '${program}'`);
          continue;
        }
        const key = `${file}: ${site.argument}`;
        seen.add(key);
        const programs = EXPRESSIONS[key];
        if (!programs) unprovided.push(`${where} starts '${site.argument}': list what it can be`);
        for (const program of programs ?? []) {
          if (!PROVIDED_PROGRAMS.has(program)) unprovided.push(`${where} starts '${program}'`);
        }
      }
    }
    expect(unprovided).toEqual([]);
    expect(Object.keys(EXPRESSIONS).filter((key) => !seen.has(key))).toEqual([]);
  });

  it('has installed every program it lists', () => {
    const present = (entry: string) =>
      entry.startsWith('/')
        ? existsSync(entry)
        : existsSync(`/usr/bin/${entry}`) || existsSync(`/usr/sbin/${entry}`);
    const missing = Object.entries(DEBIAN_PACKAGES).flatMap(([pkg, entries]) =>
      entries.filter((p) => !present(p)).map((p) => `${p} (${pkg})`),
    );
    expect(missing).toEqual([]);
  });
});
