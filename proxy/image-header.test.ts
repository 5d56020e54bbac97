// The header reader on untrusted bytes: what it finds in well-formed headers, and that any bytes
// at all end in a result or a HeaderError (never another exception, never a read out of bounds).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { HeaderError, readImageHeader } from './image-header.ts';

const dir = mkdtempSync(join(tmpdir(), 'blockscope-header-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let count = 0;
function imageFile(bytes: Buffer): string {
  const path = join(dir, `image-${count++}`);
  writeFileSync(path, bytes);
  return path;
}

/** A qcow2 v3 header (docs/interop/qcow2.txt) with optional extensions and backing name. */
function qcow2(options: {
  incompatible?: bigint;
  extensions?: [number, string][];
  backing?: string;
  size?: bigint;
}) {
  const header = Buffer.alloc(65536);
  header.writeUInt32BE(0x514649fb, 0);
  header.writeUInt32BE(3, 4);
  header.writeBigUInt64BE(options.size ?? 0n, 24);
  header.writeUInt32BE(16, 20); // 64 KiB clusters
  header.writeBigUInt64BE(options.incompatible ?? 0n, 72);
  header.writeUInt32BE(104, 100);
  let at = 104;
  for (const [type, data] of options.extensions ?? []) {
    header.writeUInt32BE(type, at);
    header.writeUInt32BE(data.length, at + 4);
    header.write(data, at + 8, 'latin1');
    at += 8 + Math.ceil(data.length / 8) * 8;
  }
  if (options.backing) {
    header.writeBigUInt64BE(BigInt(at + 8), 8);
    header.writeUInt32BE(options.backing.length, 16);
    header.write(options.backing, at + 8, 'latin1');
  }
  return header;
}

describe('readImageHeader', () => {
  it('finds the backing name and format, and the external data file', async () => {
    const path = imageFile(
      qcow2({
        incompatible: 1n << 2n,
        extensions: [
          [0xe2792aca, 'raw'],
          [0x44415441, '/elsewhere/data.raw'],
        ],
        backing: '../base.raw',
        size: 5n << 30n,
      }),
    );
    expect(await readImageHeader(path, null)).toEqual({
      format: 'qcow2',
      backing: '../base.raw',
      backingFormat: 'raw',
      externalDataFile: true,
      dataFileName: '/elsewhere/data.raw',
      virtualSize: 5 * 2 ** 30,
    });
    // Asked as raw, the same file names nothing (QEMU would not read the header).
    expect((await readImageHeader(path, 'raw')).format).toBe('other');
  });

  it('reports names and extensions that leave the header as unreadable', async () => {
    const far = qcow2({});
    far.writeBigUInt64BE(1n << 40n, 8);
    far.writeUInt32BE(16, 16);
    await expect(readImageHeader(imageFile(far), 'qcow2')).rejects.toBeInstanceOf(HeaderError);
    const overrun = qcow2({ extensions: [[0x44415441, 'x']] });
    overrun.writeUInt32BE(0x7fffffff, 108);
    await expect(readImageHeader(imageFile(overrun), null)).rejects.toBeInstanceOf(HeaderError);
  });

  it('recognises vmdk sparse files and text descriptors, QED and plain data', async () => {
    expect((await readImageHeader(imageFile(Buffer.from('KDMV\x01\0\0\0')), null)).format).toBe(
      'vmdk-sparse',
    );
    const descriptor = Buffer.from('# Disk DescriptorFile\nversion=1\nRW 8 FLAT "x" 0\n');
    expect((await readImageHeader(imageFile(descriptor), null)).format).toBe('vmdk-descriptor');
    expect((await readImageHeader(imageFile(descriptor), 'vmdk')).format).toBe('vmdk-descriptor');
    const qed = Buffer.alloc(4096);
    qed.write('QED\0', 0, 'latin1');
    qed.writeBigUInt64LE(1n, 16);
    qed.writeUInt32LE(128, 56);
    qed.writeUInt32LE(8, 60);
    qed.write('base.raw', 128, 'latin1');
    expect(await readImageHeader(imageFile(qed), null)).toMatchObject({
      format: 'qed',
      backing: 'base.raw',
    });
    expect((await readImageHeader(imageFile(Buffer.alloc(4096)), null)).format).toBe('other');
  });

  it('ends in a result or a HeaderError for any bytes after a qcow2 or QED magic', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('QFI\xfb', 'QED\0'),
        fc.uint8Array({ maxLength: 2048 }),
        fc.constantFrom(null, 'qcow2', 'qed', 'qcow'),
        async (magic, rest, format) => {
          const path = imageFile(Buffer.concat([Buffer.from(magic, 'latin1'), rest]));
          try {
            const header = await readImageHeader(path, format);
            expect(['qcow2', 'qcow', 'qed', 'other']).toContain(header.format);
          } catch (error) {
            expect(error).toBeInstanceOf(HeaderError);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
