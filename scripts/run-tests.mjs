#!/usr/bin/env node
// `npm test` after the install step: typecheck, lint, build, unit + integration tests (Vitest,
// real QEMU), then the e2e suite (Playwright, Debian's Chromium, real QEMU). Each stage runs even
// when an earlier one failed, so one run shows everything. The last line is the plain
// "N passed, N failed" that any CI can read; typecheck, lint and build count as one check each.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const work = mkdtempSync(join(tmpdir(), 'blockscope-results-'));
const only = process.argv.slice(2); // e.g. `node scripts/run-tests.mjs unit integration`
const totals = { passed: 0, failed: 0, skipped: 0 };
const failedStages = [];

function stage(name, command, args, env = {}) {
  if (only.length && !only.includes(name)) return null;
  process.stdout.write(`\n=== ${name}: ${command} ${args.join(' ')}\n`);
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  return result.status ?? 1;
}

function check(name, command, args) {
  const status = stage(name, command, args);
  if (status === null) return;
  if (status === 0) totals.passed += 1;
  else {
    totals.failed += 1;
    failedStages.push(name);
  }
}

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

check('typecheck', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']);
check('lint', 'npx', ['eslint', '--max-warnings', '0', '.']);
check('build', 'npm', ['run', 'build', '--silent']); // the page (dist/) and the server (dist-server/)

const vitestJson = join(work, 'vitest.json');
const vitestStatus = stage('vitest', 'npx', [
  'vitest',
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${vitestJson}`,
]);
if (vitestStatus !== null) {
  const report = readJson(vitestJson);
  if (report) {
    totals.passed += report.numPassedTests;
    totals.failed += report.numFailedTests;
    totals.skipped += report.numPendingTests + report.numTodoTests;
  }
  if (vitestStatus !== 0) {
    failedStages.push('vitest');
    if (!report || report.numFailedTests === 0) totals.failed += 1; // a crash or a failed suite
  }
}

const playwrightJson = join(work, 'playwright.json');
const e2eStatus = stage('e2e', 'npx', ['playwright', 'test'], {
  BLOCKSCOPE_PW_JSON: playwrightJson,
});
if (e2eStatus !== null) {
  const stats = readJson(playwrightJson)?.stats;
  if (stats) {
    totals.passed += stats.expected + stats.flaky;
    totals.failed += stats.unexpected;
    totals.skipped += stats.skipped;
  }
  if (e2eStatus !== 0) {
    failedStages.push('e2e');
    if (!stats || stats.unexpected === 0) totals.failed += 1;
  }
}

rmSync(work, { recursive: true, force: true });
if (failedStages.length) process.stdout.write(`\nfailed stages: ${failedStages.join(', ')}\n`);
process.stdout.write(
  `\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped\n`,
);
process.exit(totals.failed > 0 ? 1 : 0);
