// The test matrix (scripts/run-matrix.mjs) promises one QEMU per leg through BLOCKSCOPE_QEMU_* and
// names its version in BLOCKSCOPE_QEMU_VERSION. These tests check that the harness really runs
// that build — qemu-system and qemu-storage-daemon alike — and that its schema has exactly the
// block features that version is known to have (qmp-domain.md §7). Blockscope detects features
// from the schema; if these facts ever drift, the version-dependent tests above them lose meaning.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { qemuBinaries } from '../../proxy/qemu/binaries.ts';
import { startTestQemu, type TestQemu } from '../harness/qemu.ts';

const run = promisify(execFile);

interface SchemaEntry {
  name: string;
  'meta-type': string;
  'arg-type'?: string;
  'ret-type'?: string;
  'element-type'?: string;
  members?: { name: string; type: string }[];
  tag?: string;
  variants?: { case: string; type: string }[];
}

interface Version {
  major: number;
  minor: number;
  micro: number;
}

const kinds = [
  { kind: 'system', program: () => qemuBinaries().system },
  { kind: 'storage-daemon', program: () => qemuBinaries().storageDaemon },
] as const;

let qemu: TestQemu | undefined;
afterEach(async () => {
  await qemu?.stop();
  qemu = undefined;
});

async function bannerVersion(program: string): Promise<string> {
  const { stdout } = await run(program, ['--version']);
  const match = /version (\d+\.\d+\.\d+)/.exec(stdout);
  if (!match?.[1]) throw new Error(`no version in ${program} --version: ${stdout}`);
  return match[1];
}

const atLeast = (v: Version, major: number, minor: number) =>
  v.major > major || (v.major === major && v.minor >= minor);

describe.each(kinds)('the QEMU under test ($kind)', ({ kind, program }) => {
  it('is the build the environment names, answering QMP with its own version', async () => {
    qemu = await startTestQemu({ kind });
    const version = await qemu.direct.execute<{ qemu: Version }>('query-version');
    const spoken = `${version.qemu.major}.${version.qemu.minor}.${version.qemu.micro}`;
    expect(spoken).toBe(await bannerVersion(program()));
    const promised = process.env.BLOCKSCOPE_QEMU_VERSION;
    if (promised) expect(spoken).toBe(promised);
    // qemu-system and qemu-storage-daemon of one leg come from the same build.
    expect(await bannerVersion(qemuBinaries().storageDaemon)).toBe(
      await bannerVersion(qemuBinaries().system),
    );
  });

  it('has the block features of its version in query-qmp-schema', async () => {
    qemu = await startTestQemu({ kind });
    const { qemu: version } = await qemu.direct.execute<{ qemu: Version }>('query-version');
    const schema = await qemu.direct.execute<SchemaEntry[]>('query-qmp-schema');
    const byName = new Map(schema.map((entry) => [entry.name, entry]));
    const command = (name: string) =>
      byName.get(name)?.['meta-type'] === 'command' ? byName.get(name) : undefined;
    const argMembers = (name: string) =>
      (byName.get(command(name)?.['arg-type'] ?? '')?.members ?? []).map((m) => m.name);

    // job-* verbs exist on every version Blockscope supports, so it can always prefer them.
    for (const verb of ['pause', 'resume', 'complete', 'dismiss', 'finalize', 'cancel']) {
      expect(command(`job-${verb}`), `job-${verb}`).toBeDefined();
    }
    expect(command('blockdev-set-active') !== undefined).toBe(atLeast(version, 10, 0));
    expect(argMembers('block-export-add').includes('allow-inactive')).toBe(atLeast(version, 10, 0));
    expect(argMembers('blockdev-backup').includes('discard-source')).toBe(atLeast(version, 9, 1));
    expect(argMembers('blockdev-mirror')).toContain('sync');
    expect(argMembers('blockdev-mirror').includes('target-is-zero')).toBe(atLeast(version, 10, 1));

    // 8.2 added block-job-change and made query-block-jobs a union on the job type.
    expect(command('block-job-change') !== undefined).toBe(atLeast(version, 8, 2));
    const jobList = byName.get(command('query-block-jobs')?.['ret-type'] ?? '');
    const jobInfo = byName.get(jobList?.['element-type'] ?? '');
    expect(jobInfo?.['meta-type']).toBe('object');
    expect(jobInfo?.tag === 'type').toBe(atLeast(version, 8, 2));
  });
});

describe('pointing Blockscope at an unpacked QEMU', () => {
  it('needs only BLOCKSCOPE_QEMU_SYSTEM: tools, data and modules are found beside it', () => {
    const full = qemuBinaries();
    const fromSystemOnly = qemuBinaries({ BLOCKSCOPE_QEMU_SYSTEM: full.system });
    expect(fromSystemOnly).toEqual(full);
    // The system's own QEMU gets no overrides at all, so its build-time paths stay in charge.
    expect(qemuBinaries({ BLOCKSCOPE_QEMU_SYSTEM: '/usr/bin/qemu-system-x86_64' })).toMatchObject({
      systemArgs: [],
      env: {},
    });
  });
});
