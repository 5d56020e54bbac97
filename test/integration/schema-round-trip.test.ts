// Filled generated forms, sent to a real qemu-system: the arguments must be exactly what QEMU
// accepts, and the effect must show up in QEMU's own state.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSchemaIndex, type SchemaIndex } from '../../src/schema/schema-index.ts';
import { formArguments } from '../fixtures/schema/form-fill.ts';
import { createImage, startTestQemu, type TestQemu } from '../harness/qemu.ts';

let qemu: TestQemu;
let index: SchemaIndex;

function blockdev(options: Record<string, unknown>): string[] {
  return ['-blockdev', JSON.stringify(options)];
}

const qcow2OverFile = (name: string, path: string, backing?: string) => ({
  driver: 'qcow2',
  'node-name': name,
  file: { driver: 'file', filename: path },
  ...(backing ? { backing } : {}),
});

beforeAll(async () => {
  qemu = await startTestQemu({
    prepare: async (dir) => {
      const image = (name: string, backing?: string) =>
        createImage({
          path: join(dir, `${name}.qcow2`),
          format: 'qcow2',
          size: '16M',
          ...(backing ? { backing: { path: join(dir, `${backing}.qcow2`), format: 'qcow2' } } : {}),
        });
      await image('base');
      await image('mid', 'base');
      await image('top', 'mid');
      await image('spare');
      await image('new', 'spare');
      await image('mirror-target');
      await image('backup-target');
    },
    args: (dir) => [
      ...blockdev(qcow2OverFile('base', join(dir, 'base.qcow2'))),
      ...blockdev(qcow2OverFile('mid', join(dir, 'mid.qcow2'), 'base')),
      ...blockdev(qcow2OverFile('top', join(dir, 'top.qcow2'), 'mid')),
      ...blockdev(qcow2OverFile('spare', join(dir, 'spare.qcow2'))),
      ...blockdev(qcow2OverFile('mirror-target', join(dir, 'mirror-target.qcow2'))),
      ...blockdev(qcow2OverFile('backup-target', join(dir, 'backup-target.qcow2'))),
      '-device',
      'virtio-blk-pci,id=vda,drive=top',
    ],
  });
  index = buildSchemaIndex(await qemu.direct.execute('query-qmp-schema'));
});

afterAll(async () => qemu?.stop());

const send = (command: string, args: Record<string, unknown> | undefined) =>
  qemu.direct.execute(command, args);

const nodeNames = async () =>
  (
    await qemu.direct.execute<{ 'node-name': string }[]>('query-named-block-nodes', { flat: true })
  ).map((n) => n['node-name']);

const jobDone = (id: string) =>
  qemu.direct.waitForEvent((e) => e.event === 'BLOCK_JOB_COMPLETED' && e.data?.device === id);

describe('generated forms round-trip to arguments QEMU accepts', () => {
  it('blockdev-add: qcow2 over an inline file, with a backing node', async () => {
    const args = formArguments(index, 'blockdev-add', [
      ['driver', 'qcow2'],
      ['node-name', 'new0'],
      ['file', { choose: 'object' }],
      ['file.driver', 'file'],
      ['file.filename', join(qemu.dir, 'new.qcow2')],
      ['backing', { choose: 'string', text: 'spare' }],
    ]);
    expect(args).toEqual(qcow2OverFile('new0', join(qemu.dir, 'new.qcow2'), 'spare'));
    await send('blockdev-add', args);
    const graph = await qemu.direct.execute<{
      nodes: { id: number; name: string }[];
      edges: { parent: number; child: number; name: string }[];
    }>('x-debug-query-block-graph');
    const id = (name: string) => graph.nodes.find((n) => n.name === name)?.id;
    expect(graph.edges).toContainEqual(
      expect.objectContaining({ parent: id('new0'), child: id('spare'), name: 'backing' }),
    );
  });

  it('blockdev-backup: full backup of a root node into another node', async () => {
    const args = formArguments(index, 'blockdev-backup', [
      ['job-id', 'b0'],
      ['device', 'top'],
      ['target', 'backup-target'],
      ['sync', 'full'],
      ['speed', '1G'],
    ]);
    expect(args).toEqual({
      'job-id': 'b0',
      device: 'top',
      target: 'backup-target',
      sync: 'full',
      speed: 1 << 30,
    });
    await send('blockdev-backup', args);
    expect((await jobDone('b0')).data?.error).toBeUndefined();
  });

  it('blockdev-mirror: reaches ready, then the job is cancelled', async () => {
    const args = formArguments(index, 'blockdev-mirror', [
      ['job-id', 'm0'],
      ['device', 'top'],
      ['target', 'mirror-target'],
      ['sync', 'full'],
      ['granularity', '64k'],
      ['auto-dismiss', true],
    ]);
    expect(args).toEqual({
      'job-id': 'm0',
      device: 'top',
      target: 'mirror-target',
      sync: 'full',
      granularity: 65536,
      'auto-dismiss': true,
    });
    await send('blockdev-mirror', args);
    await qemu.direct.waitForEvent((e) => e.event === 'BLOCK_JOB_READY' && e.data?.device === 'm0');
    const jobs = await qemu.direct.execute<{ id: string; type: string }[]>('query-jobs');
    expect(jobs).toContainEqual(expect.objectContaining({ id: 'm0', type: 'mirror' }));
    await send('job-cancel', formArguments(index, 'job-cancel', [['id', 'm0']]));
    await qemu.direct.waitForEvent(
      (e) => e.event === 'JOB_STATUS_CHANGE' && e.data?.id === 'm0' && e.data.status === 'null',
    );
  });

  it('block-commit: an intermediate layer into its base', async () => {
    const args = formArguments(index, 'block-commit', [
      ['job-id', 'c0'],
      ['device', 'top'],
      ['top-node', 'mid'],
      ['base-node', 'base'],
    ]);
    expect(args).toEqual({ 'job-id': 'c0', device: 'top', 'top-node': 'mid', 'base-node': 'base' });
    await send('block-commit', args);
    expect((await jobDone('c0')).data?.error).toBeUndefined();
    const [vda] =
      await qemu.direct.execute<
        { inserted: { image: { 'backing-image'?: { filename: string } } } }[]
      >('query-block');
    expect(vda?.inserted.image['backing-image']?.filename).toBe(join(qemu.dir, 'base.qcow2'));
  });

  it('nbd-server-start (legacy address with the data wrapper), then block-export-add nbd', async () => {
    const socket = join(qemu.dir, 'nbd.sock');
    const start = formArguments(index, 'nbd-server-start', [
      ['addr.type', 'unix'],
      ['addr.data.path', socket],
    ]);
    expect(start).toEqual({ addr: { type: 'unix', data: { path: socket } } });
    await send('nbd-server-start', start);
    expect(existsSync(socket)).toBe(true);

    const exportArgs = formArguments(index, 'block-export-add', [
      ['type', 'nbd'],
      ['id', 'e0'],
      ['node-name', 'spare'],
      ['name', 'spare-export'],
      ['writable', false],
    ]);
    expect(exportArgs).toEqual({
      type: 'nbd',
      id: 'e0',
      'node-name': 'spare',
      name: 'spare-export',
      writable: false,
    });
    await send('block-export-add', exportArgs);
    const exports =
      await qemu.direct.execute<{ id: string; 'node-name': string }[]>('query-block-exports');
    expect(exports).toContainEqual(expect.objectContaining({ id: 'e0', 'node-name': 'spare' }));
  });

  it('object-add throttle-group with limits', async () => {
    const args = formArguments(index, 'object-add', [
      ['qom-type', 'throttle-group'],
      ['id', 'tg1'],
      ['limits.iops-total', '100'],
      ['limits.bps-total', '1M'],
    ]);
    expect(args).toEqual({
      'qom-type': 'throttle-group',
      id: 'tg1',
      limits: { 'iops-total': 100, 'bps-total': 1048576 },
    });
    await send('object-add', args);
    const limits = await qemu.direct.execute<Record<string, number>>('qom-get', {
      path: '/objects/tg1',
      property: 'limits',
    });
    expect(limits).toMatchObject({ 'iops-total': 100, 'bps-total': 1048576 });
  });

  it('block_set_io_throttle on a guest device by id', async () => {
    const args = formArguments(index, 'block_set_io_throttle', [
      ['id', '/machine/peripheral/vda/virtio-backend'],
      ['bps', '2M'],
      ['bps_rd', '0'],
      ['bps_wr', '0'],
      ['iops', '0'],
      ['iops_rd', '0'],
      ['iops_wr', '0'],
    ]);
    expect(args).toEqual({
      id: '/machine/peripheral/vda/virtio-backend',
      bps: 2097152,
      bps_rd: 0,
      bps_wr: 0,
      iops: 0,
      iops_rd: 0,
      iops_wr: 0,
    });
    await send('block_set_io_throttle', args);
    const [vda] = await qemu.direct.execute<{ inserted: { bps: number } }[]>('query-block');
    expect(vda?.inserted.bps).toBe(2097152);
    expect(await nodeNames()).toContain('new0');
  });
});
