// bin/blockscope runs the compiled server in dist-server/. Tests and benchmarks that start it must
// run the sources as they are now, so this compiles them first whenever a source is newer than
// the build (once per process; a no-op when the build is current).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const output = join(root, 'dist-server', 'proxy', 'main.js');
/** What tsconfig.server.json compiles from (proxy/ and the protocol code it imports). */
const SOURCE_DIRS = ['proxy', join('src', 'qmp')];

function newestSource(): number {
  let newest = statSync(join(root, 'tsconfig.server.json')).mtimeMs;
  for (const dir of SOURCE_DIRS) {
    for (const entry of readdirSync(join(root, dir), { recursive: true, withFileTypes: true })) {
      if (entry.isFile() && entry.name.endsWith('.ts')) {
        newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
      }
    }
  }
  return newest;
}

let checked = false;

/** Compiles the server (tsconfig.server.json) unless dist-server/ is newer than every source. */
export function ensureServerBuilt(): void {
  if (checked) return;
  if (!existsSync(output) || statSync(output).mtimeMs < newestSource()) {
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
