// Plans that create a file at a path run only on a path the proxy has looked at: refused while the
// look-up is on its way or failed, refused over a directory or a non-regular file, refused over an
// existing file until the operator confirms that exact path, and then warning about it.
import { describe, expect, it } from 'vitest';
import demo from '../../../../test/fixtures/graph/live-demo.json';
import type { FileAtPath } from '../../../qmp/file-lookup.ts';
import { defaultBackupInput, planBackup } from './backup.ts';
import type { LiveState } from './live-state.ts';
import {
  defaultMirrorInput,
  planDriveMirror,
  planMirror,
  type DriveMirrorInput,
} from './mirror.ts';
import { newFileCheck, type NewFileInputs } from './new-file.ts';
import { defaultSnapshotInput, planSnapshot } from './snapshot.ts';
import type { PlanResult } from './types.ts';

// The demo VM's reads, captured from a real QEMU (test/fixtures/graph/live-capture.ts).
const captured = demo as unknown as {
  namedNodes: LiveState['nodes'];
  graph: LiveState['graph'];
  blocks: LiveState['blocks'];
  jobs: LiveState['jobs'];
  exports: LiveState['exports'];
  throttleGroups: LiveState['throttleGroups'];
};
const live: LiveState = {
  ...captured,
  nodes: captured.namedNodes,
  nbdServer: { state: 'unknown' },
  commands: new Set(),
};

const MiB = 1024 * 1024;
const path = '/images/full.qcow2';
const missing: FileAtPath = { path, exists: false };
const qcow2: FileAtPath = {
  path,
  exists: true,
  type: 'file',
  size: 300 * MiB,
  format: 'qcow2',
  virtualSize: 256 * MiB,
};
const EXISTS = `${path} exists (qcow2, 256 MiB image, 300 MiB file). Confirm overwriting it, or choose another path.`;
const OVERWRITES = `Overwrites ${path} (qcow2, 256 MiB image, 300 MiB file): what it holds now is lost.`;

const problemsOf = (result: PlanResult) => (result.ok ? [] : result.problems);
const warningsOf = (result: PlanResult) => (result.ok ? (result.plan.warnings ?? []) : []);

function backup(inputs: NewFileInputs) {
  const input = defaultBackupInput(live, 'os-top');
  return planBackup(live, {
    ...input,
    target: { kind: 'new-image', path, format: 'qcow2', nodeName: 'full', ...inputs },
  });
}

describe('newFileCheck', () => {
  it('refuses until the look-up has answered for this very path', () => {
    const checking = { field: 'path', message: `Checking whether ${path} exists…`, pending: true };
    expect(newFileCheck(path, {}, 'path').problem).toEqual(checking);
    const other = { ...missing, path: '/images/other.qcow2' };
    expect(newFileCheck(path, { lookup: other }, 'path').problem).toEqual(checking);
  });

  it('refuses when the look-up failed, with its reason', () => {
    const error = `path '${path}' is outside the directories allowed by --allow-path (absolute paths only)`;
    expect(newFileCheck(path, { lookup: { path, error } }, 'path').problem?.message).toBe(
      `Could not check whether ${path} exists: ${error}`,
    );
  });

  it('accepts a path with nothing there, without a warning', () => {
    expect(newFileCheck(path, { lookup: missing }, 'path')).toEqual({
      problem: null,
      warning: null,
    });
  });

  it('refuses a directory or a non-regular file even when "confirmed"', () => {
    const dir: FileAtPath = { path, exists: true, type: 'directory', size: 4096 };
    const other: FileAtPath = { path, exists: true, type: 'other', size: 0 };
    expect(newFileCheck(path, { lookup: dir, overwrite: path }, 'path').problem?.message).toBe(
      `${path} is a directory; give the path of a new image file.`,
    );
    expect(newFileCheck(path, { lookup: other, overwrite: path }, 'path').problem?.message).toBe(
      `${path} exists and is not a regular file: a device, socket, pipe or link to nothing; choose another path.`,
    );
  });

  it('names a raw or unreadable file by its length', () => {
    const raw: FileAtPath = { path, exists: true, type: 'file', size: MiB, format: 'raw' };
    expect(newFileCheck(path, { lookup: raw }, 'path').problem?.message).toBe(
      `${path} exists (raw, 1 MiB file). Confirm overwriting it, or choose another path.`,
    );
    const odd: FileAtPath = { ...raw, format: 'unknown' };
    expect(newFileCheck(path, { lookup: odd }, 'path').problem?.message).toMatch(
      /\(format unknown, 1 MiB file\)/,
    );
  });
});

describe('plans that create a file', () => {
  it('backup: refused while checking, planned when nothing is there', () => {
    expect(problemsOf(backup({}))).toEqual([
      { field: 'path', message: `Checking whether ${path} exists…`, pending: true },
    ]);
    const result = backup({ lookup: missing });
    expect(result.ok).toBe(true);
    expect(warningsOf(result)).toEqual([]);
  });

  it('backup: an existing file needs the confirmation of that exact path', () => {
    expect(problemsOf(backup({ lookup: qcow2 }))).toEqual([{ field: 'path', message: EXISTS }]);
    // A confirmation given for another path does not count.
    expect(problemsOf(backup({ lookup: qcow2, overwrite: '/images/old.qcow2' }))).toEqual([
      { field: 'path', message: EXISTS },
    ]);
    const confirmed = backup({ lookup: qcow2, overwrite: path });
    expect(confirmed.ok).toBe(true);
    expect(warningsOf(confirmed)).toEqual([OVERWRITES]);
  });

  it('backup: an invalid path gets its own problem, not a look-up one', () => {
    const input = defaultBackupInput(live, 'os-top');
    const result = planBackup(live, {
      ...input,
      target: { kind: 'new-image', path: 'rel.qcow2', format: 'qcow2', nodeName: 'full' },
    });
    expect(problemsOf(result).filter((p) => p.field === 'path')).toHaveLength(1);
    expect(problemsOf(result)[0]?.message).toMatch(/absolute path/);
  });

  it('backup or mirror to an existing image file or node needs no look-up', () => {
    const input = defaultBackupInput(live, 'os-top');
    const existing = planBackup(live, {
      ...input,
      target: { kind: 'existing-file', path, format: 'qcow2', nodeName: 'full' },
    });
    expect(existing.ok).toBe(true);
    const mirror = defaultMirrorInput(live, 'os-top');
    expect(planMirror(live, { ...mirror, target: { kind: 'node', nodeName: 'data' } }).ok).toBe(
      true,
    );
  });

  it('mirror: same rules, and the overwrite comes first among the warnings', () => {
    const input = defaultMirrorInput(live, 'os-top');
    const target = { kind: 'new-image' as const, path, format: 'qcow2' as const, nodeName: 'm' };
    expect(
      problemsOf(planMirror(live, { ...input, target: { ...target, lookup: qcow2 } })),
    ).toEqual([{ field: 'path', message: EXISTS }]);
    const confirmed = planMirror(live, {
      ...input,
      target: { ...target, lookup: qcow2, overwrite: path },
    });
    expect(warningsOf(confirmed)[0]).toBe(OVERWRITES);
  });

  it('drive-mirror: absolute-paths is checked, existing is not', () => {
    const input: DriveMirrorInput = {
      source: 'os-top',
      path,
      format: 'qcow2',
      mode: 'absolute-paths',
      nodeName: 'dm',
      jobId: 'dm',
      sync: 'full',
    };
    expect(problemsOf(planDriveMirror(live, input))).toEqual([
      { field: 'path', message: `Checking whether ${path} exists…`, pending: true },
    ]);
    expect(problemsOf(planDriveMirror(live, { ...input, lookup: qcow2 }))).toEqual([
      { field: 'path', message: EXISTS },
    ]);
    const confirmed = planDriveMirror(live, { ...input, lookup: qcow2, overwrite: path });
    expect(warningsOf(confirmed)[0]).toBe(OVERWRITES);
    expect(planDriveMirror(live, { ...input, mode: 'existing' }).ok).toBe(true);
  });

  it('snapshot: the overlay path is checked the same way', () => {
    const input = { ...defaultSnapshotInput(live, 'os-top'), path };
    expect(problemsOf(planSnapshot(live, input))).toEqual([
      { field: 'path', message: `Checking whether ${path} exists…`, pending: true },
    ]);
    expect(problemsOf(planSnapshot(live, { ...input, lookup: qcow2 }))).toEqual([
      { field: 'path', message: EXISTS },
    ]);
    expect(planSnapshot(live, { ...input, lookup: missing }).ok).toBe(true);
    const confirmed = planSnapshot(live, { ...input, lookup: qcow2, overwrite: path });
    expect(warningsOf(confirmed)).toEqual([OVERWRITES]);
    // A file QEMU has open is refused as such, not offered for overwriting.
    const open = '/images/os-mid.qcow2';
    const inUse = planSnapshot(live, {
      ...input,
      path: open,
      lookup: { ...qcow2, path: open },
      overwrite: open,
    });
    expect(problemsOf(inUse)).toEqual([
      { field: 'path', message: `'${open}' is already open in QEMU; choose a new file.` },
    ]);
  });
});
