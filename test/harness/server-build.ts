// bin/blockscope runs the compiled server in dist-server/. Tests and benchmarks that start it must
// run the sources as they are now, so this compiles them first whenever a source is newer than
// the build (once per process; a no-op when the build is current).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const outDir = join(root, 'dist-server');
const output = join(outDir, 'proxy', 'main.js');

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

/**
 * The newest of what tsconfig.server.json compiles: the source of every file in the last build
 * (proxy/ and whatever it imports from src/), and any file in proxy/ (a new one may be imported).
 */
function newestSource(): number {
  const compiled = readdirSync(outDir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.js'))
    .map((entry) => join(root, relative(outDir, join(entry.parentPath, entry.name))))
    .map((file) => file.replace(/\.js$/, '.ts'));
  let newest = statSync(join(root, 'tsconfig.server.json')).mtimeMs;
  for (const file of [...compiled, ...tsFiles(join(root, 'proxy'))]) {
    // A source gone since the last build changes what is built: rebuild.
    newest = Math.max(newest, existsSync(file) ? statSync(file).mtimeMs : Infinity);
  }
  return newest;
}

let checked = false;

/** Compiles the server (tsconfig.server.json) unless dist-server/ is newer than every source. */
export function ensureServerBuilt(): void {
  if (checked) return;
  if (!existsSync(output) || statSync(output).mtimeMs < newestSource()) {
    // From scratch, as `npm run build:server` does: no output of a source that is gone stays behind.
    rmSync(outDir, { recursive: true, force: true });
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    execFileSync(process.execPath, [tsc, '-p', 'tsconfig.server.json'], {
      cwd: root,
      stdio: 'inherit',
    });
  }
  checked = true;
}

/** The path of bin/blockscope, with the server it runs built from the current sources. */
export function blockscopeBin(): string {
  ensureServerBuilt();
  return join(root, 'bin', 'blockscope');
}
