// The harness itself: real qemu-system and qemu-storage-daemon start, answer QMP, and clean up.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { demoQemuArgs, demoNodeNames } from '../../proxy/demo-vm.ts';
import {
  createImage,
  imageChain,
  startTestQemu,
  writePatterns,
  type TestQemu,
} from '../harness/qemu.ts';

let qemu: TestQemu | undefined;
afterEach(async () => {
  await qemu?.stop();
  qemu = undefined;
});

describe('real-QEMU harness', () => {
  it('starts qemu-system with a backing chain and removes its directory on stop', async () => {
    qemu = await startTestQemu({
      prepare: async (dir) => {
        await createImage({ path: join(dir, 'base.qcow2'), format: 'qcow2', size: '16M' });
        await writePatterns(join(dir, 'base.qcow2'), 'qcow2', [
          { offset: 0, length: '1M', pattern: 0x5a },
        ]);
        await createImage({
          path: join(dir, 'top.qcow2'),
          format: 'qcow2',
          size: '16M',
          backing: { path: join(dir, 'base.qcow2'), format: 'qcow2' },
        });
      },
      args: (dir) => [
        '-blockdev',
        `qcow2,node-name=top,file.driver=file,file.filename=${join(dir, 'top.qcow2')}`,
      ],
    });
    const version = await qemu.direct.execute<{ qemu: { major: number } }>('query-version');
    expect(version.qemu.major).toBeGreaterThanOrEqual(7);
    const nodes = await qemu.direct.execute<{ 'node-name': string }[]>('query-named-block-nodes', {
      flat: true,
    });
    expect(nodes.map((n) => n['node-name'])).toContain('top');
    const chain = await imageChain(join(qemu.dir, 'top.qcow2'));
    expect(chain).toHaveLength(2);
    const dir = qemu.dir;
    await qemu.stop();
    qemu = undefined;
    expect(existsSync(dir)).toBe(false);
  });

  it('starts qemu-storage-daemon, which has no devices', async () => {
    qemu = await startTestQemu({
      kind: 'storage-daemon',
      args: ['--blockdev', 'null-co,node-name=null0,size=1048576'],
    });
    expect(await qemu.direct.execute('query-block')).toEqual([]);
    const nodes = await qemu.direct.execute<{ 'node-name': string }[]>('query-named-block-nodes', {
      flat: true,
    });
    expect(nodes.map((n) => n['node-name'])).toEqual(['null0']);
  });

  it("starts the demo's block graph", async () => {
    const { buildDemoImages } = await import('../../proxy/demo-vm.ts');
    qemu = await startTestQemu({ prepare: buildDemoImages, args: demoQemuArgs });
    const nodes = await qemu.direct.execute<{ 'node-name': string }[]>('query-named-block-nodes', {
      flat: true,
    });
    expect(new Set(nodes.map((n) => n['node-name']))).toEqual(new Set(demoNodeNames));
    const blocks =
      await qemu.direct.execute<{ qdev: string; inserted?: { 'node-name': string } }[]>(
        'query-block',
      );
    expect(blocks.map((b) => [b.qdev, b.inserted?.['node-name']])).toEqual([
      ['/machine/peripheral/vda/virtio-backend', 'os-top'],
      ['/machine/peripheral/vdb/virtio-backend', 'data'],
      ['/machine/peripheral/vdc/virtio-backend', 'logs-throttle'],
    ]);
  });
});
