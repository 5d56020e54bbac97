// The demo: a QEMU with a block graph that looks like a real machine's, in a temporary directory.
//   vda: a three-layer qcow2 chain  os-base ← os-mid ← os-top   (virtio-blk)
//   vdb: a raw data disk                                         (virtio-blk)
//   vdc: a qcow2 log disk behind a throttle filter in group tg0 (virtio-blk)
// Every image holds real data, so mirrors, backups and commits take visible time, and a small
// load generator on a third monitor keeps I/O going on all three disks (demo-io.ts).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemoIo } from './demo-io.ts';
import { createImage, writePatterns } from './qemu/images.ts';
import { startQemu, type RunningQemu } from './qemu/launch.ts';

const MiB = 1024 * 1024;

export interface DemoVm {
  dir: string;
  qmpSocket: string;
  /** A second monitor, for scripts and tests that want to look at QEMU directly. */
  directQmpSocket: string;
  qemu: RunningQemu;
  /** Stops QEMU and removes every file the demo made. */
  stop(): Promise<void>;
}

function blockdev(options: Record<string, unknown>): string[] {
  return ['-blockdev', JSON.stringify(options)];
}

export async function buildDemoImages(dir: string): Promise<void> {
  const path = (name: string) => join(dir, name);
  await createImage({ path: path('os-base.qcow2'), format: 'qcow2', size: '256M' });
  await writePatterns(path('os-base.qcow2'), 'qcow2', [
    { offset: 0, length: 48 * MiB, pattern: 0x11 },
    { offset: 128 * MiB, length: 16 * MiB, pattern: 0x12 },
  ]);
  await createImage({
    path: path('os-mid.qcow2'),
    format: 'qcow2',
    size: '256M',
    backing: { path: path('os-base.qcow2'), format: 'qcow2' },
  });
  await writePatterns(path('os-mid.qcow2'), 'qcow2', [
    { offset: 8 * MiB, length: 8 * MiB, pattern: 0x21 },
    { offset: 160 * MiB, length: 4 * MiB, pattern: 0x22 },
  ]);
  await createImage({
    path: path('os-top.qcow2'),
    format: 'qcow2',
    size: '256M',
    backing: { path: path('os-mid.qcow2'), format: 'qcow2' },
  });
  await writePatterns(path('os-top.qcow2'), 'qcow2', [
    { offset: 12 * MiB, length: 4 * MiB, pattern: 0x31 },
  ]);
  await createImage({ path: path('data.raw'), format: 'raw', size: '128M' });
  await writePatterns(path('data.raw'), 'raw', [{ offset: 0, length: 32 * MiB, pattern: 0x44 }]);
  await createImage({ path: path('logs.qcow2'), format: 'qcow2', size: '64M' });
  await writePatterns(path('logs.qcow2'), 'qcow2', [
    { offset: 0, length: 16 * MiB, pattern: 0x55 },
  ]);
}

export function demoQemuArgs(dir: string): string[] {
  const file = (nodeName: string, name: string) =>
    blockdev({ driver: 'file', 'node-name': nodeName, filename: join(dir, name) });
  return [
    '-object',
    JSON.stringify({
      'qom-type': 'throttle-group',
      id: 'tg0',
      limits: { 'iops-total': 400, 'bps-total': 20 * MiB },
    }),
    ...file('os-base-file', 'os-base.qcow2'),
    ...blockdev({ driver: 'qcow2', 'node-name': 'os-base', file: 'os-base-file' }),
    ...file('os-mid-file', 'os-mid.qcow2'),
    ...blockdev({
      driver: 'qcow2',
      'node-name': 'os-mid',
      file: 'os-mid-file',
      backing: 'os-base',
    }),
    ...file('os-top-file', 'os-top.qcow2'),
    ...blockdev({ driver: 'qcow2', 'node-name': 'os-top', file: 'os-top-file', backing: 'os-mid' }),
    '-device',
    'virtio-blk-pci,id=vda,drive=os-top',
    ...file('data-file', 'data.raw'),
    ...blockdev({ driver: 'raw', 'node-name': 'data', file: 'data-file' }),
    '-device',
    'virtio-blk-pci,id=vdb,drive=data',
    ...file('logs-file', 'logs.qcow2'),
    ...blockdev({ driver: 'qcow2', 'node-name': 'logs', file: 'logs-file' }),
    ...blockdev({
      driver: 'throttle',
      'node-name': 'logs-throttle',
      'throttle-group': 'tg0',
      file: 'logs',
    }),
    '-device',
    'virtio-blk-pci,id=vdc,drive=logs-throttle',
  ];
}

/** The node names the demo creates, for tests that check the drawn graph. */
export const demoNodeNames = [
  'os-base',
  'os-base-file',
  'os-mid',
  'os-mid-file',
  'os-top',
  'os-top-file',
  'data',
  'data-file',
  'logs',
  'logs-file',
  'logs-throttle',
] as const;

export async function startDemoVm(parentDir = tmpdir()): Promise<DemoVm> {
  const dir = await mkdtemp(join(parentDir, 'blockscope-demo-'));
  try {
    await buildDemoImages(dir);
    const qmpSocket = join(dir, 'qmp.sock');
    const directQmpSocket = join(dir, 'qmp-direct.sock');
    const ioSocket = join(dir, 'qmp-io.sock');
    const qemu = await startQemu({
      kind: 'system',
      qmpSockets: [qmpSocket, directQmpSocket, ioSocket],
      args: demoQemuArgs(dir),
    });
    const io = startDemoIo(ioSocket);
    return {
      dir,
      qmpSocket,
      directQmpSocket,
      qemu,
      async stop() {
        io.stop();
        await qemu.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
