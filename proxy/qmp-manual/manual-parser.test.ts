import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualMemberText, QSD_MANUAL, SYSTEM_MANUAL } from '../../test/harness/manual-entry.ts';
import type { QapiDefinition } from '../../src/schema/qapi-docs.ts';
import { ManualError, readQmpManual } from './manual-file.ts';
import { manualCandidates } from './manual-locations.ts';

const FIXTURES = new URL('../../test/fixtures/qmp-manual/', import.meta.url).pathname;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'blockscope-manual-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const byName = (definitions: QapiDefinition[]) => new Map(definitions.map((d) => [d.name, d]));

describe('the QMP manual parser on pages of the .SS shape (QEMU up to 9.2)', () => {
  it('reads title, version and every definition of a gzipped page', async () => {
    const path = join(dir, 'sample.7.gz');
    await writeFile(path, gzipSync(await readFile(join(FIXTURES, 'sample-qmp-ref.7'))));
    const manual = await readQmpManual(path);
    expect(manual).toMatchObject({ program: 'qemu-system', version: '7.2.99', path });
    expect(manual.definitions.map((d) => `${d.kind} ${d.name}`)).toEqual([
      'enum MirrorSyncMode',
      'command blockdev-mirror',
      'struct BlockdevOptionsBase',
      'union BlockdevOptions',
      'alternate BlockdevRef',
      'command blockdev-add',
      'event BLOCK_JOB_READY',
    ]);
  });

  it('turns members, escapes, types, bases, branches and sections into the doc model', async () => {
    const defs = byName((await readQmpManual(join(FIXTURES, 'sample-qmp-ref.7'))).definitions);
    const mirror = defs.get('blockdev-mirror')!;
    expect(mirror.doc?.description).toBe(
      'Copy one node onto another and keep them the same until the job is completed.\n\nA second paragraph about it.',
    );
    expect(mirror.doc?.since).toBe('2.6');
    expect(mirror.doc?.returns).toBe('nothing');
    expect(mirror.doc?.members).toEqual({
      'job-id': 'name of the new job',
      sync: "what to copy before following new writes; see 'MirrorSyncMode'",
      'buf-size': 'bytes that may be on their way from source to target',
      bitmaps: 'names of bitmaps, one of:\n\na first choice\n\na second choice',
      'x-trace': 'a member that exists in some builds only',
    });
    // Builtins in QAPI spelling; `int` says nothing about the width, so it stays unknown.
    expect([...mirror.members]).toEqual([
      ['job-id', 'str'],
      ['sync', 'MirrorSyncMode'],
      ['buf-size', ''],
      ['bitmaps', '[str]'],
      ['x-trace', 'bool'],
    ]);
    const options = defs.get('BlockdevOptions')!;
    expect(options.base).toBe('BlockdevOptionsBase');
    expect([...options.branches]).toEqual([
      ['file', 'BlockdevOptionsFile'],
      ['io-uring', 'BlockdevOptionsIoUring'],
    ]);
    expect(options.doc?.members).toEqual({});
    expect([...defs.get('BlockdevRef')!.branches]).toEqual([
      ['definition', 'BlockdevOptions'],
      ['reference', 'str'],
    ]);
    expect(defs.get('blockdev-add')?.argType).toBe('BlockdevOptions');
    expect(defs.get('MirrorSyncMode')?.doc?.members.full).toBe('everything the source reads as');
    expect(defs.get('BLOCK_JOB_READY')?.doc?.members.device).toBe("the job's name");
    // The example's `.SS` line is inside .nf/.fi and the chapter text follows .SH: neither leaks.
    expect(defs.has('NotADefinition')).toBe(false);
    expect(JSON.stringify([...defs.values()].map((d) => d.doc))).not.toMatch(
      /Chapter text|execute/,
    );
  });
});

describe('the QMP manual parser on pages of the item shape (QEMU 10.0 and later)', () => {
  it('reads the same model from the other generation of the page', async () => {
    const manual = await readQmpManual(join(FIXTURES, 'sample-qmp-ref-item.7'));
    expect(manual).toMatchObject({ program: 'qemu-storage-daemon', version: '10.0.99' });
    const defs = byName(manual.definitions);
    const mirror = defs.get('blockdev-mirror')!;
    expect(mirror).toMatchObject({ kind: 'command' });
    expect(mirror.doc).toMatchObject({
      since: '2.6',
      description: 'Copy one node onto another and keep them the same until the job is completed.',
      members: {
        'job-id': 'name of the new job',
        sync: "what to copy before following new writes; see 'MirrorSyncMode'",
        'buf-size': 'bytes that may be on their way from source to target',
        bitmaps: 'names of bitmaps',
      },
    });
    expect([...mirror.members]).toEqual([
      ['job-id', 'str'],
      ['sync', 'MirrorSyncMode'],
      ['buf-size', ''],
      ['bitmaps', '[str]'],
    ]);
    const options = defs.get('BlockdevOptions')!;
    expect(options).toMatchObject({ kind: 'union', base: 'BlockdevOptionsBase' });
    expect([...options.branches]).toEqual([['file', 'BlockdevOptionsFile']]);
    expect(defs.get('MirrorSyncMode')?.doc?.members.top).toBe('only the data of the top image');
    expect(defs.get('query-jobs')?.doc?.returns).toBe('[JobInfo] -- one entry per job');
    expect([...defs.keys()]).toEqual([
      'blockdev-mirror',
      'MirrorSyncMode',
      'BlockdevOptions',
      'query-jobs',
    ]);
  });
});

describe('reading manual files', () => {
  it('refuses what is not a QMP manual, oversized input and broken gzip with one line', async () => {
    const other = join(dir, 'other.7');
    await writeFile(other, '.TH "LS" "1" "" "9.4" "coreutils"\n.SH NAME\n');
    await expect(readQmpManual(other)).rejects.toThrow(/not a QEMU QMP reference manual page/);
    const bomb = join(dir, 'bomb.7.gz');
    await writeFile(bomb, gzipSync(Buffer.alloc(20 * 1024 * 1024, 0x2e)));
    await expect(readQmpManual(bomb)).rejects.toThrow(/more than 16 MiB of text/);
    const broken = join(dir, 'broken.7.gz');
    await writeFile(broken, Buffer.from([0x1f, 0x8b, 1, 2, 3]));
    await expect(readQmpManual(broken)).rejects.toThrow(/not valid gzip/);
    await expect(readQmpManual(join(dir, 'missing.7.gz'))).rejects.toThrow(ManualError);
    await expect(readQmpManual(join(dir, 'missing.7.gz'))).rejects.toThrow(/ENOENT/);
  });

  it('looks beside an unpacked QEMU first, then in /usr', () => {
    const env = { BLOCKSCOPE_QEMU_SYSTEM: '/opt/q/usr/bin/qemu-system-x86_64' };
    expect(manualCandidates('qemu-system', env)).toEqual([
      '/opt/q/usr/share/man/man7/qemu-qmp-ref.7.gz',
      '/usr/share/man/man7/qemu-qmp-ref.7.gz',
      '/usr/local/share/man/man7/qemu-qmp-ref.7.gz',
    ]);
    expect(manualCandidates('qemu-storage-daemon', {})).toEqual([
      '/usr/share/man/man7/qemu-storage-daemon-qmp-ref.7.gz',
      '/usr/local/share/man/man7/qemu-storage-daemon-qmp-ref.7.gz',
    ]);
  });
});

// The install step brings qemu-system-x86, which pulls in qemu-system-common with these pages.
describe('the installed QMP manuals', () => {
  it('are installed', () => {
    const hint = 'from qemu-system-common; a dpkg path-exclude of /usr/share/man drops it';
    expect(existsSync(SYSTEM_MANUAL), `${SYSTEM_MANUAL} ${hint}`).toBe(true);
    expect(existsSync(QSD_MANUAL), `${QSD_MANUAL} ${hint}`).toBe(true);
  });

  it('documents blockdev-mirror, its buf-size member and the union behind blockdev-add', async () => {
    const manual = await readQmpManual(SYSTEM_MANUAL);
    expect(manual.program).toBe('qemu-system');
    const defs = byName(manual.definitions);
    const mirror = defs.get('blockdev-mirror')!;
    expect(mirror.kind).toBe('command');
    expect(mirror.doc?.members['buf-size']).toBe(
      manualMemberText(SYSTEM_MANUAL, 'blockdev-mirror', 'buf-size'),
    );
    expect(mirror.members.get('sync')).toBe('MirrorSyncMode');
    expect(defs.get('blockdev-add')?.argType).toBe('BlockdevOptions');
    const options = defs.get('BlockdevOptions')!;
    expect(options.kind).toBe('union');
    expect(options.branches.get('qcow2')).toBe('BlockdevOptionsQcow2');
    expect(options.members.get('node-name')).toBe('str');
    expect(defs.get('BlockdevOptionsFile')?.doc?.members.filename).toBe(
      manualMemberText(SYSTEM_MANUAL, 'BlockdevOptionsFile', 'filename'),
    );
    expect(defs.get('BlockdevRef')?.kind).toBe('alternate');
    expect(defs.get('MirrorSyncMode')?.kind).toBe('enum');
    expect(defs.get('BLOCK_JOB_READY')?.kind).toBe('event');
  });

  it("reads qemu-storage-daemon's own manual, which has no run state commands", async () => {
    const manual = await readQmpManual(QSD_MANUAL);
    expect(manual.program).toBe('qemu-storage-daemon');
    const defs = byName(manual.definitions);
    expect(defs.get('block-export-add')?.kind).toBe('command');
    expect(defs.has('query-status')).toBe(false);
  });
});
