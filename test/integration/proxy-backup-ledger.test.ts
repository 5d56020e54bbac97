// The proxy's backup ledger against a real qemu-system: session A runs the page's full-backup
// plan (a new bitmap and the backup in one transaction), sessions that join later hear where the
// bitmap counts from, every session hears the job's outcome, and the page's plans act on it: an
// incremental from the cancelled backup's bitmap is refused, one from the completed backup gets
// the full backup's image as its backing file (checked with qemu-img). QEMU going away empties it.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProxyHandle } from '../../proxy/server.ts';
import { qemuBinaries } from '../../proxy/qemu/binaries.ts';
import { parseBackupLedger, type BackupRecord } from '../../src/qmp/backup-records.ts';
import {
  defaultBackupInput,
  planBackup,
  suggestBitmap,
  withBitmap,
} from '../../src/features/operations/plans/backup.ts';
import { planBitmapVerb } from '../../src/features/operations/plans/bitmaps.ts';
import {
  readLiveState,
  type LiveState,
  type QmpExecutor,
} from '../../src/features/operations/plans/live-state.ts';
import type { PlanResult } from '../../src/features/operations/plans/types.ts';
import { runPlan } from '../../src/features/operations/run-plan.ts';
import { lookedUp } from '../fixtures/operations/look-up.ts';
import { buildChain, guestWrite, run, systemArgs, VDA } from '../fixtures/operations/vm.ts';
import { createImage, startTestQemu, type TestQemu } from '../harness/qemu.ts';
import { proxyConfig, startTestProxy, WsQmp, type Message } from './proxy-helpers.ts';

const MiB = 1024 * 1024;
const LEDGER = 'X_BLOCKSCOPE_BACKUPS';
let qemu: TestQemu;
let proxy: ProxyHandle;
const sessions: WsQmp[] = [];

beforeAll(async () => {
  qemu = await startTestQemu({ prepare: buildChain, args: systemArgs });
  proxy = await startTestProxy(
    proxyConfig([{ name: 'vm', address: { type: 'unix', path: qemu.qmpSocket } }], {
      allowPaths: [qemu.dir],
    }),
  );
});

afterAll(async () => {
  for (const s of sessions) s.close();
  await proxy?.stop();
  await qemu?.stop();
});

async function openSession(): Promise<WsQmp> {
  const session = await WsQmp.open(proxy, 'vm');
  sessions.push(session);
  return session;
}

/** A plan runner's connection through a proxy session, as the page's client is. */
function through(session: WsQmp): QmpExecutor {
  let n = 0;
  return {
    async execute(command, args) {
      const id = `t${n++}`;
      const reply = await session.send({
        execute: command,
        ...(args ? { arguments: args } : {}),
        id,
      });
      if ('error' in reply) {
        const error = reply.error as { class: string; desc: string };
        throw new Error(`${command}: ${error.class}: ${error.desc}`);
      }
      return reply.return;
    },
  };
}

const records = (m: Message): BackupRecord[] => parseBackupLedger(m.data)?.backups ?? [];

/** The first ledger event (received or to come) whose records satisfy `match`, from `mark` on. */
function ledgerWhere(
  session: WsQmp,
  match: (r: BackupRecord[]) => boolean,
  mark = 0,
): Promise<Message> {
  return session.next(
    (m) => m.event === LEDGER && match(records(m)) && session.messages.indexOf(m) >= mark,
  );
}

const fullOf = (bitmap: string) => (r: BackupRecord[]) => r.find((x) => x.bitmap === bitmap)?.full;

/** The live state a plan is built from, with the ledger the session last heard. */
async function liveVia(session: WsQmp): Promise<LiveState> {
  const latest = session.events(LEDGER).at(-1);
  return { ...(await readLiveState(through(session))), backups: latest ? records(latest) : [] };
}

/**
 * Runs a plan's steps only, as a script or a tab closed mid-job would leave it: the job's end is
 * the test's (and the ledger's) to see, not undone by a following runner.
 */
async function runOk(session: WsQmp, result: PlanResult): Promise<void> {
  if (!result.ok) throw new Error(result.problems.map((p) => p.message).join('; '));
  const outcome = await runPlan(
    through(session),
    { ...result.plan, end: undefined },
    { pollMs: 50 },
  );
  if (!outcome.ok) throw new Error(`${outcome.failure.step.command}: ${outcome.failure.message}`);
}

/** The page's full backup of `top` into an existing image, with a new bitmap, atomically. */
async function fullBackup(a: WsQmp, name: string, jobId: string, speed?: number) {
  const path = join(qemu.dir, `${name}.qcow2`);
  await createImage({ path, format: 'qcow2', size: 16 * MiB });
  const live = await liveVia(a);
  await runOk(
    a,
    planBackup(live, {
      ...defaultBackupInput(live, 'top'),
      jobId,
      newBitmap: { name },
      ...(speed ? { speed } : {}),
      target: { kind: 'existing-file', path, format: 'qcow2', nodeName: name },
    }),
  );
  return path;
}

async function bitmapNames(): Promise<string[]> {
  const nodes = await qemu.direct.execute<
    { 'node-name': string; 'dirty-bitmaps'?: { name: string }[] }[]
  >('query-named-block-nodes', { flat: true });
  const top = nodes.find((n) => n['node-name'] === 'top');
  return (top?.['dirty-bitmaps'] ?? []).map((b) => b.name);
}

describe('backup ledger through the proxy', () => {
  it('tells every session, early or late, that a full backup was cancelled, and the plans act on it', async () => {
    const a = await openSession();
    // A session hears the (empty) ledger right after negotiating, after the reply.
    const first = await a.next((m) => m.event === LEDGER);
    expect(first.data).toEqual({ backups: [] });
    expect(a.messages.indexOf(first)).toBeGreaterThan(
      a.messages.findIndex((m) => m.id === '__neg'),
    );

    const path = await fullBackup(a, 'bk1-bitmap', 'bk1', 64 * 1024);
    expect(fullOf('bk1-bitmap')(records(await ledgerWhere(a, (r) => r.length === 1)))).toEqual({
      job: 'bk1',
      sync: 'full',
      target: 'bk1-bitmap',
      file: path,
      format: 'qcow2',
      state: 'running',
      startedAt: expect.any(Number),
    });

    const b = await openSession();
    const joined = await b.next((m) => m.event === LEDGER);
    expect(fullOf('bk1-bitmap')(records(joined))).toMatchObject({ job: 'bk1', state: 'running' });

    const [job] = await qemu.direct.execute<{ id: string; status: string }[]>('query-jobs');
    expect(job).toMatchObject({ id: 'bk1', status: 'running' });
    expect(await a.send({ execute: 'job-cancel', arguments: { id: 'bk1' }, id: 'cancel' })).toEqual(
      { return: {}, id: 'cancel' },
    );
    const cancelled = (r: BackupRecord[]) => fullOf('bk1-bitmap')(r)?.state === 'cancelled';
    await Promise.all([ledgerWhere(a, cancelled), ledgerWhere(b, cancelled)]);

    const c = await openSession();
    const late = await c.next((m) => m.event === LEDGER);
    expect(fullOf('bk1-bitmap')(records(late))).toMatchObject({ job: 'bk1', state: 'cancelled' });
    // QEMU still has the bitmap, recording: only the ledger knows it counts from nothing whole.
    expect(await bitmapNames()).toEqual(['bk1-bitmap']);

    const live = await liveVia(c);
    const refused = planBackup(live, {
      source: 'top',
      jobId: 'inc-bad',
      sync: 'incremental',
      bitmap: 'bk1-bitmap',
      target: { kind: 'node', nodeName: 'bk1-bitmap' },
    });
    expect(refused.ok ? [] : refused.problems.map((p) => p.message)).toEqual([
      expect.stringContaining("its full backup 'bk1' was cancelled"),
    ]);
    expect(suggestBitmap(live, 'top')).toBeUndefined();

    // Removing the untrusted bitmap empties the record for everyone, and QEMU has no bitmap.
    await a.send({ execute: 'job-dismiss', arguments: { id: 'bk1' }, id: 'dismiss' });
    const marks = [a, b, c].map((s) => s.messages.length);
    await runOk(c, planBitmapVerb(live, 'top', 'bk1-bitmap', 'remove'));
    await Promise.all([a, b, c].map((s, i) => ledgerWhere(s, (r) => r.length === 0, marks[i])));
    expect(await bitmapNames()).toEqual([]);
    await a.send({ execute: 'blockdev-del', arguments: { 'node-name': 'bk1-bitmap' }, id: 'del' });
  });

  it('records a completed full backup and the incremental after it, with their files', async () => {
    const a = sessions[0]!;
    const fullPath = await fullBackup(a, 'bk2-bitmap', 'bk2');
    const done = (r: BackupRecord[]) => fullOf('bk2-bitmap')(r)?.state === 'completed';
    await ledgerWhere(a, done);
    const d = await openSession();
    expect(fullOf('bk2-bitmap')(records(await d.next((m) => m.event === LEDGER)))).toMatchObject({
      job: 'bk2',
      file: fullPath,
      state: 'completed',
    });
    await a.send({ execute: 'job-dismiss', arguments: { id: 'bk2' }, id: 'dismiss2' });
    await a.send({ execute: 'blockdev-del', arguments: { 'node-name': 'bk2-bitmap' }, id: 'del2' });
    await guestWrite(qemu, VDA, 0x5a, '1M', '64k');

    // The page's incremental: the bitmap with a record is chosen, the full image is its backing.
    const live = await liveVia(d);
    const incPath = join(qemu.dir, 'inc.qcow2');
    const input = withBitmap(
      live,
      {
        ...defaultBackupInput(live, 'top'),
        jobId: 'inc1',
        sync: 'incremental',
        target: {
          kind: 'new-image',
          path: incPath,
          format: 'qcow2',
          nodeName: 'inc',
          lookup: await lookedUp(qemu.dir, incPath),
        },
      },
      suggestBitmap(live, 'top'),
    );
    expect(input.bitmap).toBe('bk2-bitmap');
    expect(input.target).toMatchObject({ backing: { file: fullPath, format: 'qcow2' } });
    await runOk(d, planBackup(live, input));
    const inc = await ledgerWhere(
      a,
      (r) => r.find((x) => x.bitmap === 'bk2-bitmap')?.lastIncremental?.state === 'completed',
    );
    expect(records(inc)[0]?.lastIncremental).toMatchObject({
      job: 'inc1',
      sync: 'incremental',
      mode: 'on-success',
      file: incPath,
    });
    const info = await run(qemuBinaries().img, ['info', '-U', '--output=json', incPath]);
    expect(JSON.parse(info.stdout)).toMatchObject({ 'backing-filename': fullPath });
    // The next incremental would continue from this one.
    const after = await liveVia(d);
    const next = withBitmap(
      after,
      { ...defaultBackupInput(after, 'top'), sync: 'incremental' },
      suggestBitmap(after, 'top'),
    );
    expect(next.target).toMatchObject({ backing: { file: incPath } });
  });

  it("asks QEMU for the file of a target opened elsewhere, for a script's transaction", async () => {
    const a = sessions[0]!;
    const path = join(qemu.dir, 'ext.qcow2');
    await createImage({ path, format: 'qcow2', size: 16 * MiB });
    // Opened on the test's own monitor: the proxy never saw this blockdev-add.
    await qemu.direct.execute('blockdev-add', {
      driver: 'qcow2',
      'node-name': 'ext',
      file: { driver: 'file', filename: path },
      backing: null,
    });
    const mark = a.messages.length;
    const reply = await a.send({
      execute: 'transaction',
      arguments: {
        actions: [
          { type: 'block-dirty-bitmap-add', data: { node: 'top', name: 'ext-bitmap' } },
          {
            type: 'blockdev-backup',
            data: { 'job-id': 'ext-full', device: 'top', target: 'ext', sync: 'full' },
          },
        ],
      },
      id: 'script',
    });
    expect(reply).toEqual({ return: {}, id: 'script' });
    const learned = await ledgerWhere(a, (r) => fullOf('ext-bitmap')(r)?.file === path, mark);
    expect(fullOf('ext-bitmap')(records(learned))).toMatchObject({
      job: 'ext-full',
      target: 'ext',
      format: 'qcow2',
    });
    await ledgerWhere(a, (r) => fullOf('ext-bitmap')(r)?.state === 'completed', mark);
  });

  it('forgets the ledger when QEMU goes away', async () => {
    const a = sessions[0]!;
    expect(records(a.events(LEDGER).at(-1)!)).toHaveLength(2);
    const mark = a.messages.length;
    await qemu.process.stop();
    const emptied = await ledgerWhere(a, (r) => r.length === 0, mark);
    const gone = a.messages.findIndex(
      (m, i) =>
        i >= mark &&
        m.event === 'X_BLOCKSCOPE_TARGET_STATE' &&
        (m.data as Message).state === 'disconnected',
    );
    expect(gone).toBeGreaterThan(-1);
    expect(a.messages.lastIndexOf(emptied)).toBeGreaterThan(gone);
  });
});
