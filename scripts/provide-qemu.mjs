#!/usr/bin/env node
// Provides a second, newer QEMU beside the system's without installing it: the QEMU of Debian 12's
// bookworm-backports suite (10.0.x), fetched with apt through a private sources list and lists
// directory (the system's apt configuration and dpkg database stay untouched) and unpacked with
// `dpkg -x` into a cache directory. Running it again only asks the mirror whether anything changed.
//
//   node scripts/provide-qemu.mjs               prints what it provides and how to use it
//   node scripts/provide-qemu.mjs --print-env   prints `export BLOCKSCOPE_…=…` lines for eval
//   --cache DIR (or BLOCKSCOPE_QEMU_CACHE)      default: <repo>/.cache/qemu-backports
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { debianMirror } from './debian-mirror.mjs';

const SUITE = 'bookworm-backports';
// qemu-storage-daemon ships in qemu-system-common, qemu-img/qemu-io in qemu-utils, the ROMs in
// qemu-system-data; 10.0 wants a newer SeaBIOS than bookworm's, and backports has it. The OpenGL
// and SPICE modules come too: QEMU looks for a module in its own directory first and then in the
// system's, so a module the unpacked build lacks is taken from the system's 7.2 (which holds them
// in qemu-system-common), refused as another build's, and QEMU 10.0 aborts in module_load_dso.
// `qom-list-types` loads every QOM module, so any client could trigger that.
const PACKAGES = [
  'qemu-system-x86',
  'qemu-system-common',
  'qemu-system-data',
  'qemu-system-modules-opengl',
  'qemu-system-modules-spice',
  'qemu-utils',
  'seabios',
];
const FALLBACK_MIRROR = { uri: 'http://deb.debian.org/debian', signedBy: '' };

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const printEnv = argv.includes('--print-env');
const cacheFlag = argv.indexOf('--cache');
const cache = resolve(
  (cacheFlag >= 0 && argv[cacheFlag + 1]) ||
    process.env.BLOCKSCOPE_QEMU_CACHE ||
    join(repo, '.cache', 'qemu-backports'),
);
const root = join(cache, 'root');
const stampFile = join(cache, 'stamp.json');

const say = (line) => process.stderr.write(`provide-qemu: ${line}\n`);
function fail(lines) {
  for (const line of [].concat(lines)) say(line);
  process.exit(2);
}

function osRelease() {
  try {
    const text = readFileSync('/etc/os-release', 'utf8');
    return Object.fromEntries(
      text
        .split('\n')
        .map((line) => /^([A-Z_]+)=(.*)$/.exec(line))
        .filter(Boolean)
        .map(([, key, value]) => [key, value.replace(/^"(.*)"$/, '$1')]),
    );
  } catch {
    return {};
  }
}

function aptOptions() {
  return [
    ...['-o', `Dir::Etc::SourceList=${join(cache, 'sources.list')}`],
    ...['-o', 'Dir::Etc::SourceParts=/dev/null'],
    ...['-o', `Dir::State::Lists=${join(cache, 'lists')}`],
    ...['-o', `Dir::Cache=${join(cache, 'apt-cache')}`],
    // The files land in a root-owned cache, so apt's unprivileged download user cannot write them.
    ...['-o', 'APT::Sandbox::User=root'],
  ];
}

function apt(command, args, cwd) {
  const result = spawnSync(command, [...aptOptions(), ...args], { cwd, encoding: 'utf8' });
  return { ok: result.status === 0, out: result.stdout ?? '', err: result.stderr ?? '' };
}

function readStamp() {
  try {
    return JSON.parse(readFileSync(stampFile, 'utf8'));
  } catch {
    return null;
  }
}

const haveBuild = () => existsSync(join(root, 'usr/bin/qemu-system-x86_64'));

// Newest version of each package in the private (backports-only) lists.
function candidateVersions() {
  const versions = {};
  for (const name of PACKAGES) {
    const { out } = apt('apt-cache', ['madison', name]);
    const line = out.split('\n').find((l) => l.includes(SUITE));
    if (!line) fail(`${name} is not in ${SUITE} on this mirror.`);
    versions[name] = line.split('|')[1].trim();
  }
  return versions;
}

function download(versions) {
  const debs = join(cache, 'debs');
  rmSync(debs, { recursive: true, force: true });
  mkdirSync(debs, { recursive: true });
  const wanted = Object.entries(versions).map(([name, version]) => `${name}=${version}`);
  const got = apt('apt-get', ['-qq', 'download', ...wanted], debs);
  if (!got.ok) fail([`apt-get download failed:`, got.err.trim()]);
  // Unpack beside the old build and swap, so an interrupted run never leaves half a QEMU behind.
  const fresh = join(cache, 'root.new');
  rmSync(fresh, { recursive: true, force: true });
  for (const deb of readdirSync(debs).filter((f) => f.endsWith('.deb'))) {
    execFileSync('dpkg', ['-x', join(debs, deb), fresh]);
  }
  rmSync(root, { recursive: true, force: true });
  renameSync(fresh, root);
  rmSync(debs, { recursive: true, force: true });
  writeFileSync(stampFile, `${JSON.stringify({ suite: SUITE, versions }, null, 2)}\n`);
}

function refresh() {
  const mirror = debianMirror('bookworm') ?? FALLBACK_MIRROR;
  for (const dir of ['lists/partial', 'apt-cache/archives/partial']) {
    mkdirSync(join(cache, dir), { recursive: true });
  }
  const options = mirror.signedBy ? `[signed-by=${mirror.signedBy}] ` : '';
  writeFileSync(join(cache, 'sources.list'), `deb ${options}${mirror.uri} ${SUITE} main\n`);
  const update = apt('apt-get', ['-qq', 'update']);
  if (!update.ok) {
    if (haveBuild()) return say(`cannot reach ${mirror.uri} (${SUITE}); using the cached build.`);
    fail([`apt-get update for ${SUITE} from ${mirror.uri} failed:`, update.err.trim()]);
  }
  const versions = candidateVersions();
  const stamp = readStamp();
  if (haveBuild() && JSON.stringify(stamp?.versions) === JSON.stringify(versions)) {
    return say(`cache is current (${versions['qemu-system-x86']}); nothing downloaded.`);
  }
  say(`downloading ${PACKAGES.join(', ')} from ${mirror.uri} ${SUITE} …`);
  download(versions);
}

// ldd names every shared library the unpacked programs cannot find on this system.
function missingLibraries(programs) {
  const missing = new Set();
  for (const program of programs) {
    const { stdout } = spawnSync('ldd', [program], { encoding: 'utf8' });
    for (const match of (stdout ?? '').matchAll(/^\s*(\S+) => not found/gm)) missing.add(match[1]);
  }
  return [...missing];
}

const os = osRelease();
if (os.ID !== 'debian' || os.VERSION_CODENAME !== 'bookworm') {
  fail([
    `this script fetches QEMU from Debian 12's ${SUITE}; this system is ${os.PRETTY_NAME ?? 'unknown'}.`,
    'Install a second QEMU by other means and point Blockscope at it, for example:',
    '  BLOCKSCOPE_QEMU_SYSTEM=/opt/qemu/bin/qemu-system-x86_64 node scripts/run-matrix.mjs --qemu system,env',
    '(qemu-storage-daemon, qemu-img and qemu-io are taken from the same directory).',
  ]);
}
if (process.getuid?.() === 0) refresh();
else if (haveBuild()) say('not root: using the cached build without checking for updates.');
else {
  fail([
    `downloading QEMU from ${SUITE} needs root (apt-get download, dpkg -x into ${cache}).`,
    `Run: sudo node ${join('scripts', 'provide-qemu.mjs')}${cacheFlag >= 0 ? ` --cache ${cache}` : ''}`,
  ]);
}

const bin = (name) => join(root, 'usr/bin', name);
const programs = ['qemu-system-x86_64', 'qemu-storage-daemon', 'qemu-img', 'qemu-io'].map(bin);
const missing = missingLibraries(programs);
if (missing.length) {
  fail([
    `the unpacked QEMU needs libraries this system lacks: ${missing.join(', ')}.`,
    `Install the Debian packages that provide them (see: dpkg-deb -f <qemu deb> Depends).`,
  ]);
}
const banner = execFileSync(bin('qemu-system-x86_64'), ['--version'], { encoding: 'utf8' });
const version = /version (\d+\.\d+\.\d+)/.exec(banner)?.[1] ?? 'unknown';

const env = {
  BLOCKSCOPE_QEMU_SYSTEM: bin('qemu-system-x86_64'),
  BLOCKSCOPE_QSD: bin('qemu-storage-daemon'),
  BLOCKSCOPE_QEMU_IMG: bin('qemu-img'),
  BLOCKSCOPE_QEMU_IO: bin('qemu-io'),
  BLOCKSCOPE_QEMU_DATADIR: `${join(root, 'usr/share/qemu')}:${join(root, 'usr/share/seabios')}`,
  BLOCKSCOPE_QEMU_MODULE_DIR: join(root, 'usr/lib/x86_64-linux-gnu/qemu'),
  BLOCKSCOPE_QEMU_VERSION: version,
};
const quote = (value) => `'${value.replaceAll("'", `'\\''`)}'`;
if (printEnv) {
  for (const [key, value] of Object.entries(env))
    process.stdout.write(`export ${key}=${quote(value)}\n`);
} else {
  process.stdout.write(
    [
      `QEMU ${version} from ${SUITE} is in ${root}`,
      'Use it for the demo or the tests with:',
      `  BLOCKSCOPE_QEMU_SYSTEM=${env.BLOCKSCOPE_QEMU_SYSTEM} npm start`,
      '  npm run test:matrix',
      `or, in a shell: eval "$(node scripts/provide-qemu.mjs --print-env)"`,
      '',
    ].join('\n'),
  );
}
