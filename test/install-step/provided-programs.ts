// The programs the install step provides (scripts/system-packages.json, read by
// scripts/ensure-deps.mjs), and the guard that holds every test process to them: a test that starts
// anything else fails at once with UnprovidedProgramError, on this machine as on a new one that has
// only Node, instead of passing here because someone once installed the program by hand.
import childProcess from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';
import { basename } from 'node:path';
import { promisify } from 'node:util';
import manifest from '../../scripts/system-packages.json' with { type: 'json' };

export class UnprovidedProgramError extends Error {
  override name = 'UnprovidedProgramError';
  constructor(readonly program: string) {
    super(
      `'${program}' is not provided by the install step: add its Debian package to scripts/system-packages.json`,
    );
  }
}

/** Every program name a test or script may start (a package's absolute paths are files, not programs). */
export const PROVIDED_PROGRAMS: ReadonlySet<string> = new Set([
  ...Object.values(manifest.packages)
    .flat()
    .filter((entry) => !entry.startsWith('/')),
  ...manifest.node,
  ...manifest.base,
]);

/** Debian package → the programs it puts in /usr/bin or /usr/sbin, or files it installs (absolute). */
export const DEBIAN_PACKAGES: Readonly<Record<string, readonly string[]>> = manifest.packages;

/** The program a spawn call starts: the file's base name, or a shell line's first word. */
export function programOf(command: string, shell: boolean): string {
  const first = shell ? (command.trim().split(/\s+/)[0] ?? '') : command;
  return basename(first);
}

export function checkProgram(command: string, shell = false): void {
  const program = programOf(command, shell);
  // process.execPath may be a versioned name (node20); it is Node itself either way.
  if (command === process.execPath) return;
  if (!PROVIDED_PROGRAMS.has(program)) throw new UnprovidedProgramError(program);
}

type Spawner = (...args: unknown[]) => unknown;

function hasShell(options: unknown): boolean {
  return (
    typeof options === 'object' &&
    options !== null &&
    Boolean((options as { shell?: unknown }).shell)
  );
}

type Promisifiable = Spawner & { [promisify.custom]?: Spawner };

/** Wraps one spawner; `check` sees the command before it runs. Keeps execFile's promisified form. */
function guard(original: Promisifiable, check: (command: string, options: unknown) => void) {
  const wrap = (target: Spawner) =>
    function guarded(this: unknown, command: unknown, ...rest: unknown[]) {
      if (typeof command === 'string') check(command, Array.isArray(rest[0]) ? rest[1] : rest[0]);
      return target.call(this, command, ...rest);
    };
  const guarded: Promisifiable = wrap(original);
  const custom = original[promisify.custom];
  if (custom) guarded[promisify.custom] = wrap(custom);
  return guarded;
}

let installed = false;

/** Wraps node:child_process's spawners in this process (ESM imports included) with checkProgram. */
export function installSpawnGuard(): void {
  if (installed) return;
  installed = true;
  const cp = childProcess as unknown as Record<string, Spawner>;
  for (const name of ['spawn', 'spawnSync', 'execFile', 'execFileSync']) {
    cp[name] = guard(cp[name]!, (command, options) => checkProgram(command, hasShell(options)));
  }
  for (const name of ['exec', 'execSync']) {
    cp[name] = guard(cp[name]!, (command) => checkProgram(command, true));
  }
  // `import { spawn } from 'node:child_process'` binds to the ESM facade; bring it in line.
  syncBuiltinESMExports();
}
