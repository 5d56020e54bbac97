#!/usr/bin/env node
// `npm run test:matrix`: the integration and e2e suites once per QEMU — the system's (QEMU 7.2 on
// Debian 12) and the newer one that scripts/provide-qemu.mjs unpacks from bookworm-backports
// (10.0). Each leg gets its QEMU through BLOCKSCOPE_QEMU_* and names the version it promises in
// BLOCKSCOPE_QEMU_VERSION (test/integration/matrix-version.test.ts holds it to that).
//
//   node scripts/run-matrix.mjs                        both legs, whole suites
//   node scripts/run-matrix.mjs --qemu backports       one leg (system | backports | env)
//   node scripts/run-matrix.mjs --no-build FILE…       skip the SPA build; only these test files
//                                                      (e2e/… go to Playwright, the rest to Vitest)
// The `env` leg runs the QEMU that BLOCKSCOPE_QEMU_SYSTEM (and friends) already name, for builds
// from elsewhere. The last line is a plain "N passed, N failed" over every leg.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const QEMU_VARS = [
  'BLOCKSCOPE_QEMU_SYSTEM',
  'BLOCKSCOPE_QSD',
  'BLOCKSCOPE_QEMU_IMG',
  'BLOCKSCOPE_QEMU_IO',
  'BLOCKSCOPE_QEMU_DATADIR',
  'BLOCKSCOPE_QEMU_MODULE_DIR',
  'BLOCKSCOPE_QEMU_VERSION',
];

function parseArgs(argv) {
  const options = { legs: ['system', 'backports'], build: true, files: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--no-build') options.build = false;
    else if (arg === '--qemu') options.legs = (argv[++i] ?? '').split(',').filter(Boolean);
    else if (arg.startsWith('--')) throw new Error(`unknown option ${arg}`);
    else options.files.push(arg);
  }
  for (const leg of options.legs) {
    if (!['system', 'backports', 'env'].includes(leg)) throw new Error(`unknown --qemu leg ${leg}`);
    if (leg === 'env' && !process.env.BLOCKSCOPE_QEMU_SYSTEM) {
      throw new Error('--qemu env needs BLOCKSCOPE_QEMU_SYSTEM');
    }
  }
  return options;
}

let options;
try {
  options = parseArgs(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`run-matrix: ${error.message}\n`);
  process.exit(2);
}
const isE2e = (file) => file.startsWith('e2e/') || file.endsWith('.spec.ts');
const vitestFiles = options.files.filter((f) => !isE2e(f));
const playwrightFiles = options.files.filter(isE2e);
const runVitest = !options.files.length || vitestFiles.length > 0;
const runPlaywright = !options.files.length || playwrightFiles.length > 0;

const work = mkdtempSync(join(tmpdir(), 'blockscope-matrix-'));
const grand = { passed: 0, failed: 0 };
const summaries = [];

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

function run(command, args, env) {
  process.stdout.write(`\n=== ${command} ${args.join(' ')}\n`);
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: repo, env });
  return result.status ?? 1;
}

function bannerVersion(program) {
  const banner = execFileSync(program, ['--version'], { encoding: 'utf8' });
  return /version (\d+\.\d+\.\d+)/.exec(banner)?.[1] ?? '';
}

// The system leg runs whatever `qemu-system-x86_64` is on PATH, with no overrides inherited.
function systemLeg() {
  const env = { ...process.env };
  for (const name of QEMU_VARS) delete env[name];
  env.BLOCKSCOPE_QEMU_VERSION = bannerVersion('qemu-system-x86_64');
  return { env, label: `QEMU ${env.BLOCKSCOPE_QEMU_VERSION} (system)` };
}

function envLeg() {
  const env = { ...process.env };
  env.BLOCKSCOPE_QEMU_VERSION = bannerVersion(env.BLOCKSCOPE_QEMU_SYSTEM);
  return { env, label: `QEMU ${env.BLOCKSCOPE_QEMU_VERSION} (${env.BLOCKSCOPE_QEMU_SYSTEM})` };
}

// The backports leg takes every path from the provide script, which also fetches or refreshes it.
function backportsLeg() {
  const provide = spawnSync(
    process.execPath,
    [join(repo, 'scripts', 'provide-qemu.mjs'), '--print-env'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  if (provide.status !== 0) return null;
  const env = { ...process.env };
  for (const name of QEMU_VARS) delete env[name];
  for (const match of provide.stdout.matchAll(/^export (\w+)='(.*)'$/gm)) {
    env[match[1]] = match[2].replaceAll(`'\\''`, "'");
  }
  return { env, label: `QEMU ${env.BLOCKSCOPE_QEMU_VERSION} (bookworm-backports)` };
}

function runLeg(name) {
  process.stdout.write(`\n##### matrix leg: ${name}\n`);
  const leg = { system: systemLeg, backports: backportsLeg, env: envLeg }[name]();
  if (!leg) {
    grand.failed += 1;
    summaries.push(`${name}: could not provide this QEMU (see above) — 1 failed`);
    return;
  }
  const totals = { passed: 0, failed: 0, skipped: 0 };
  if (runVitest) {
    const json = join(work, `vitest-${name}.json`);
    const status = run(
      'npx',
      [
        ...['vitest', 'run', '--project', 'integration'],
        ...['--reporter=default', '--reporter=json', `--outputFile.json=${json}`],
        ...vitestFiles,
      ],
      leg.env,
    );
    const report = readJson(json);
    if (report) {
      totals.passed += report.numPassedTests;
      totals.failed += report.numFailedTests;
      totals.skipped += report.numPendingTests + report.numTodoTests;
    }
    if (status !== 0 && (!report || report.numFailedTests === 0)) totals.failed += 1;
  }
  if (runPlaywright) {
    const json = join(work, `playwright-${name}.json`);
    const env = { ...leg.env, BLOCKSCOPE_PW_JSON: json };
    const status = run('npx', ['playwright', 'test', ...playwrightFiles], env);
    const stats = readJson(json)?.stats;
    if (stats) {
      totals.passed += stats.expected + stats.flaky;
      totals.failed += stats.unexpected;
      totals.skipped += stats.skipped;
    }
    if (status !== 0 && (!stats || stats.unexpected === 0)) totals.failed += 1;
  }
  grand.passed += totals.passed;
  grand.failed += totals.failed;
  summaries.push(
    `${leg.label}: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`,
  );
}

// The e2e suite serves the built SPA, so one build (page and server) up front serves every leg.
if (options.build && runPlaywright) {
  if (run('npm', ['run', 'build', '--silent'], process.env) !== 0) {
    grand.failed += 1;
    summaries.push('build: failed');
  }
}
for (const leg of options.legs) runLeg(leg);

rmSync(work, { recursive: true, force: true });
process.stdout.write(
  `\n${summaries.join('\n')}\n\n${grand.passed} passed, ${grand.failed} failed\n`,
);
process.exit(grand.failed > 0 ? 1 : 0);
