#!/usr/bin/env node
// The one install step shared by `npm start`, `npm test` and `npm run bench`.
// Idempotent: on a machine that has everything it only looks, and returns in well under a second.
//   1. npm packages: `npm ci` when node_modules is missing or older than package-lock.json.
//   2. Debian packages: every program that a test, the demo or the bench starts, as listed in
//      scripts/system-packages.json (QEMU, its tools, libnbd's tools, Chromium, graphviz, openssl,
//      curl, systemd-analyze, libvirt and its QMP passthrough, OpenSSH, Prometheus and promtool,
//      socat for the exposed sockets' shell client).
//      Installed with apt-get when running as root, otherwise the exact command is printed.
//      test/install-step holds the suite to that list: a spawn of anything else fails.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/**
 * Debian package → what it brings: program names (in /usr/bin or /usr/sbin) or absolute paths of
 * files (a package without programs, such as a Python module). A package is missing when one is.
 */
const debianPackages = JSON.parse(
  readFileSync(join(root, 'scripts', 'system-packages.json'), 'utf8'),
).packages;

function log(message) {
  process.stderr.write(`ensure-deps: ${message}\n`);
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

const present = (entry) =>
  entry.startsWith('/')
    ? existsSync(entry)
    : existsSync(`/usr/bin/${entry}`) || existsSync(`/usr/sbin/${entry}`);

function ensureDebianPackages() {
  const missing = Object.entries(debianPackages)
    .filter(([, entries]) => !entries.every(present))
    .map(([name]) => name);
  if (missing.length === 0) return;
  const line = `apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasApt = existsSync('/usr/bin/apt-get');
  if (!isRoot || !hasApt) {
    log(`missing system packages: ${missing.join(', ')}`);
    log(
      hasApt
        ? `install them with:\n  sudo ${line}`
        : "install them with your distribution's package manager",
    );
    process.exit(1);
  }
  log(`installing ${missing.join(' ')} (apt-get)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (run('apt-get', ['update', '-qq'], { env }) !== 0) {
    log('apt-get update failed');
    process.exit(1);
  }
  if (
    run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { env }) !== 0
  ) {
    log(`apt-get install failed; try:\n  ${line}`);
    process.exit(1);
  }
}

function ensureNpmPackages() {
  const lock = join(root, 'package-lock.json');
  const installed = join(root, 'node_modules', '.package-lock.json');
  if (existsSync(installed) && statSync(installed).mtimeMs >= statSync(lock).mtimeMs) return;
  log('installing npm packages (npm ci)');
  const env = { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' };
  if (run('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: root, env }) !== 0) {
    log('npm ci failed');
    process.exit(1);
  }
}

ensureNpmPackages();
ensureDebianPackages();
