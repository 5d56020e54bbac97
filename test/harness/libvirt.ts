// A libvirt of the test's own, for integration and e2e tests: virtlogd and a privileged libvirtd
// started here (no systemd), the daemon's sockets in a temporary directory (so the URI is
// `qemu:///system?socket=DIR/sock/libvirt-sock` and no other libvirt client on the machine sees
// it), and transient TCG guests (`virsh create`, q35) on qcow2 chains made with qemu-img. Nothing
// is defined persistently; stop() destroys the guests, stops both daemons and removes the files.
//
// One fix-up keeps libvirt fast on machines without udev: when /dev/kvm exists but the QEMU user
// (libvirt-qemu) cannot open it, libvirt 9.0 finds its cached QEMU capabilities outdated at every
// look-up and probes QEMU again (about 4 s each, a minute per `virsh create`). The daemon then runs
// in a mount namespace of its own where /dev/kvm is a node that group kvm may open, as udev's rule
// makes it on a normal Debian host; the host's /dev/kvm is left as it is. Guests run TCG either way.
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { qemuBinaries } from '../../proxy/qemu/binaries.ts';
import { createImage, writePatterns, type PatternWrite } from '../../proxy/qemu/images.ts';
import { libvirtEmulator } from './libvirt-emulator.ts';

const run = promisify(execFile);

export interface GuestDisk {
  /** The guest's disk name, e.g. vda. */
  target: string;
  /** Image file names in the test directory, base first; the last one is the active image. */
  chain: string[];
  /** Virtual size, e.g. '64M'. */
  size: string;
  /** Data written into the base image before the guest starts. */
  data?: PatternWrite[];
}

export interface TestGuest {
  name: string;
  uuid: string;
  /** Image paths by file name. */
  images: Record<string, string>;
  destroy(): Promise<void>;
}

export interface TestLibvirt {
  dir: string;
  uri: string;
  /** The daemon's read-write socket (what qemu+ssh:// URIs point at with `socket=`). */
  socket: string;
  virsh(args: string[]): Promise<string>;
  createGuest(name: string, disks: GuestDisk[]): Promise<TestGuest>;
  stop(): Promise<void>;
}

const VIRTLOGD_SOCKET = '/run/libvirt/virtlogd-sock';
/** The sockets of a libvirt that manages this machine's own guests (monolithic or modular). */
const SYSTEM_SOCKETS = ['/run/libvirt/libvirt-sock', '/run/libvirt/virtqemud-sock'];
const children = new Set<ChildProcess>();
/** Guests still running, by libvirt URI, for a test process that exits without stop(). */
const running = new Map<string, { uri: string }>();
process.once('exit', () => {
  for (const [uuid, { uri }] of running) {
    try {
      execFileSync('virsh', ['-q', '-c', uri, 'destroy', uuid], {
        stdio: 'ignore',
        timeout: 5_000,
      });
    } catch {
      /* already gone */
    }
  }
  for (const child of children) child.kill('SIGKILL');
});

function socketAnswers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

interface Daemon {
  child: ChildProcess;
  /** The end of what it wrote to stderr. */
  said(): string;
}

function daemon(command: string, args: string[]): Daemon {
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let said = '';
  child.stderr?.on('data', (chunk: Buffer) => (said = (said + String(chunk)).slice(-4000)));
  child.once('exit', () => children.delete(child));
  children.add(child);
  return { child, said: () => said };
}

/** Waits until `check` holds; fails at once, with its stderr, if the daemon exits first. */
async function waitFor(what: string, owner: Daemon, check: () => Promise<boolean>) {
  const deadline = Date.now() + 30_000;
  while (!(await check())) {
    const { child } = owner;
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `${what}: it exited (${child.exitCode ?? child.signalCode}): ${owner.said()}`,
      );
    }
    if (Date.now() > deadline) throw new Error(`${what} within 30 s: ${owner.said()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function stopChild(child: ChildProcess | null): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** Whether the QEMU user (group kvm, as Debian's udev rule sets it) may open /dev/kvm. */
function kvmNeedsFixUp(): boolean {
  if (!existsSync('/dev/kvm')) return false;
  const { mode, gid } = statSync('/dev/kvm');
  const everyone = (mode & 0o006) === 0o006;
  return !everyone && !(gid !== 0 && (mode & 0o060) === 0o060);
}

function libvirtdCommand(dir: string, config: string, pid: string): [string, string[]] {
  const libvirtd = ['/usr/sbin/libvirtd', '-f', config, '-p', pid];
  if (!kvmNeedsFixUp()) return [libvirtd[0]!, libvirtd.slice(1)];
  const kvmDir = join(dir, 'kvm');
  mkdirSync(kvmDir);
  const script = [
    `mount -t tmpfs -o size=16k,mode=0755 blockscope-kvm '${kvmDir}'`,
    `mknod -m 0660 '${kvmDir}/kvm' c 10 232`,
    `chgrp kvm '${kvmDir}/kvm'`,
    `mount --bind '${kvmDir}/kvm' /dev/kvm`,
    `exec ${libvirtd.map((a) => `'${a}'`).join(' ')}`,
  ].join(' && ');
  return ['unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script]];
}

export async function startTestLibvirt(): Promise<TestLibvirt> {
  const dir = await mkdtemp(join(tmpdir(), 'blockscope-libvirt-test-'));
  // QEMU runs as libvirt-qemu and must reach the images in here.
  chmodSync(dir, 0o755);
  const sockDir = join(dir, 'sock');
  mkdirSync(sockDir);
  const config = join(dir, 'libvirtd.conf');
  writeFileSync(
    config,
    [
      `unix_sock_dir = "${sockDir}"`,
      'unix_sock_rw_perms = "0700"',
      'unix_sock_ro_perms = "0700"',
      'unix_sock_admin_perms = "0700"',
      'auth_unix_rw = "none"',
      'auth_unix_ro = "none"',
      '',
    ].join('\n'),
  );
  const socket = join(sockDir, 'libvirt-sock');
  const uri = `qemu:///system?socket=${socket}`;
  let virtlogd: Daemon | null = null;
  let libvirtd: Daemon | null = null;
  const guests = new Map<string, TestGuest>();
  const virsh = async (args: string[]) =>
    (await run('virsh', ['--quiet', '-c', uri, ...args], { env: { ...process.env, LC_ALL: 'C' } }))
      .stdout;

  const stop = async () => {
    for (const guest of [...guests.values()]) await guest.destroy().catch(() => {});
    await stopChild(libvirtd?.child ?? null);
    await stopChild(virtlogd?.child ?? null);
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    // A privileged libvirtd keeps its guests' state in /run/libvirt/qemu, shared by every daemon on
    // the machine: beside one that manages real guests, this one would take them over.
    for (const path of SYSTEM_SOCKETS) {
      if (await socketAnswers(path)) {
        throw new Error(
          `a libvirt daemon already runs on this machine (${path}); the libvirt tests start their own and need a machine without one`,
        );
      }
    }
    // A virtlogd that already serves this machine (systemd's socket) is used as it is.
    if (!(await socketAnswers(VIRTLOGD_SOCKET))) {
      virtlogd = daemon('/usr/sbin/virtlogd', ['-p', join(dir, 'virtlogd.pid')]);
      await waitFor('virtlogd did not listen', virtlogd, () => socketAnswers(VIRTLOGD_SOCKET));
    }
    const [command, args] = libvirtdCommand(dir, config, join(dir, 'libvirtd.pid'));
    libvirtd = daemon(command, args);
    await waitFor('libvirtd did not answer', libvirtd, () =>
      virsh(['version']).then(
        () => true,
        () => false,
      ),
    );
    // Guests it found running were left by a test process that ended without stop(): end them.
    for (const uuid of (await virsh(['list', '--uuid'])).split('\n').filter(Boolean)) {
      await virsh(['destroy', uuid]).catch(() => {});
    }
  } catch (error) {
    await stop();
    throw error;
  }

  async function createGuest(name: string, disks: GuestDisk[]): Promise<TestGuest> {
    const images: Record<string, string> = {};
    for (const disk of disks) {
      let below: string | undefined;
      for (const file of disk.chain) {
        const path = join(dir, file);
        await createImage({
          path,
          format: 'qcow2',
          size: disk.size,
          ...(below ? { backing: { path: below, format: 'qcow2' as const } } : {}),
        });
        if (!below && disk.data) await writePatterns(path, 'qcow2', disk.data);
        images[file] = path;
        below = path;
      }
    }
    const emulator = libvirtEmulator(dir, qemuBinaries());
    const xml = [
      "<domain type='qemu'>",
      `  <name>${name}</name>`,
      "  <memory unit='MiB'>128</memory>",
      '  <vcpu>1</vcpu>',
      "  <os><type arch='x86_64' machine='q35'>hvm</type></os>",
      // Without it libvirt 9.0 passes -no-acpi, which QEMU 9.2 and later no longer accept.
      '  <features><acpi/></features>',
      '  <devices>',
      ...(emulator ? [`    <emulator>${emulator}</emulator>`] : []),
      ...disks.map((disk) =>
        [
          "    <disk type='file' device='disk'>",
          "      <driver name='qemu' type='qcow2'/>",
          `      <source file='${images[disk.chain.at(-1)!]}'/>`,
          `      <target dev='${disk.target}' bus='virtio'/>`,
          '    </disk>',
        ].join('\n'),
      ),
      "    <memballoon model='none'/>",
      '  </devices>',
      '</domain>',
      '',
    ].join('\n');
    const xmlFile = join(dir, `${name}.xml`);
    writeFileSync(xmlFile, xml);
    await virsh(['create', xmlFile]);
    const uuid = (await virsh(['domuuid', name])).trim();
    running.set(uuid, { uri });
    const guest: TestGuest = {
      name,
      uuid,
      images,
      async destroy() {
        if (!guests.delete(name)) return;
        await virsh(['destroy', uuid]).catch(() => {});
        running.delete(uuid);
        // libvirt's log of the guest is the only file it keeps about a transient domain
        rmSync(`/var/log/libvirt/qemu/${name}.log`, { force: true });
      },
    };
    guests.set(name, guest);
    return guest;
  }

  return { dir, uri, socket, virsh, createGuest, stop };
}
