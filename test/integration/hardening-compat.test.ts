// Blockscope never depends on deprecated QMP: a qemu-system started with
// `-compat deprecated-input=reject` refuses any deprecated command or argument, and the flows the
// UI runs (the operations plans, the jobs panel's verbs, the graph's and panels' reads) all go
// through the proxy against it. A refusal fails the plan, and no reply on the wire may mention the
// policy.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProxyHandle } from '../../proxy/server.ts';
import type { JsonObject } from '../../src/qmp/wire.ts';
import { defaultBackupInput, planBackup } from '../../src/features/operations/plans/backup.ts';
import { planCommit, planStream } from '../../src/features/operations/plans/commit.ts';
import {
  defaultExportInput,
  planExport,
  planExportRemove,
  planNbdServerStop,
} from '../../src/features/operations/plans/export.ts';
import { finishJob } from '../fixtures/operations/job-panel.ts';
import { lookedUp } from '../fixtures/operations/look-up.ts';
import { waitForJob } from '../../src/features/operations/run-plan.ts';
import {
  readLiveState,
  type NbdServerState,
  type QmpExecutor,
} from '../../src/features/operations/plans/live-state.ts';
import { defaultMirrorInput, planMirror } from '../../src/features/operations/plans/mirror.ts';
import {
  defaultSnapshotInput,
  planSnapshot,
} from '../../src/features/operations/plans/snapshot.ts';
import { planDeviceThrottle } from '../../src/features/operations/plans/throttle-device.ts';
import {
  defaultAttachInput,
  planGroupAttach,
  planGroupCreate,
  planGroupDelete,
  planGroupDetach,
} from '../../src/features/operations/plans/throttle-group.ts';
import { startTestQemu, type TestQemu } from '../harness/qemu.ts';
import {
  buildChain,
  freePort,
  runOk,
  systemArgs,
  VDA,
  waitJob,
} from '../fixtures/operations/vm.ts';
import type { DirectQmp } from '../harness/direct-qmp.ts';
import { proxyConfig, startTestProxy, WsQmp } from './proxy-helpers.ts';

let qemu: TestQemu;
let proxy: ProxyHandle;
let session: WsQmp;
let client: QmpExecutor;

/** The proxy session as the executor plans run on; a QMP error becomes an exception. */
function executorOver(ws: WsQmp): QmpExecutor {
  let seq = 0;
  return {
    async execute(command: string, args?: JsonObject) {
      const reply = await ws.send({
        execute: command,
        ...(args ? { arguments: args } : {}),
        id: `c${++seq}`,
      });
      if ('error' in reply) {
        const error = reply.error as { class: string; desc: string };
        throw Object.assign(new Error(`${command}: ${error.class}: ${error.desc}`), {
          errorClass: error.class,
          desc: error.desc,
        });
      }
      return reply.return;
    },
  };
}

beforeAll(async () => {
  qemu = await startTestQemu({
    prepare: buildChain,
    args: (dir) => [...systemArgs(dir), '-compat', 'deprecated-input=reject'],
  });
  proxy = await startTestProxy(
    proxyConfig([{ name: 'vm', address: { type: 'unix', path: qemu.qmpSocket } }], {
      allowPaths: [qemu.dir],
    }),
  );
  session = await WsQmp.open(proxy, 'vm');
  client = executorOver(session);
});

afterAll(async () => {
  session?.close();
  await proxy?.stop();
  await qemu?.stop();
});

// The plan helpers type their client as DirectQmp; they only ever call execute().
const runner = () => client as unknown as DirectQmp;
const live = (nbd?: NbdServerState) => readLiveState(client, nbd);

describe('under -compat deprecated-input=reject', () => {
  it('is really in force: QEMU refuses a deprecated command', async () => {
    const reply = await session.send({
      execute: 'drive-backup',
      arguments: { device: 'top', target: join(qemu.dir, 'x.qcow2'), sync: 'full' },
      id: 'deprecated',
    });
    expect(reply).toMatchObject({ error: { desc: expect.stringMatching(/deprecated/i) } });
  });

  it('runs the reads the graph, jobs and details views make', async () => {
    for (const [command, args] of [
      ['query-named-block-nodes', { flat: true }],
      ['x-debug-query-block-graph', undefined],
      ['query-block', undefined],
      ['query-jobs', undefined],
      ['query-block-jobs', undefined],
      ['query-block-exports', undefined],
      ['query-commands', undefined],
      ['query-qmp-schema', undefined],
      ['query-version', undefined],
      ['query-status', undefined],
      ['qom-list', { path: '/objects' }],
    ] as const) {
      await expect(client.execute(command, args), command).resolves.toBeDefined();
    }
  });

  it('runs stream, snapshot, active commit, mirror with pivot and backup plans', async () => {
    await runOk(
      runner(),
      planStream(await live(), { device: 'top', base: 'base', jobId: 'stream' }),
    );
    // The stream dismisses itself (see planStream); the graph read right after must not hang.
    await waitForJob(client, { job: 'stream', until: ['null'] }, { pollMs: 50 });
    await expect(client.execute('query-named-block-nodes', { flat: true })).resolves.toBeDefined();

    let state = await live();
    const overlay = join(qemu.dir, 's.qcow2');
    const snapshot = {
      ...defaultSnapshotInput(state, 'top'),
      path: overlay,
      lookup: await lookedUp(qemu.dir, overlay),
    };
    await runOk(runner(), planSnapshot(state, snapshot));
    const root = async () =>
      (await live()).blocks.find((b) => b.qdev === VDA)?.inserted?.['node-name'];
    expect(await root()).toBe(snapshot.snapshotNodeName);

    const commit = { device: snapshot.snapshotNodeName, top: snapshot.snapshotNodeName };
    await runOk(runner(), planCommit(await live(), { ...commit, base: 'top', jobId: 'commit' }));
    await waitJob(runner(), 'commit', ['ready']);
    await finishJob(runner(), 'commit', 'complete');
    expect(await root()).toBe('top');

    state = await live();
    const mirror = defaultMirrorInput(state, 'top');
    const mirrorPath = join(qemu.dir, 'm.qcow2');
    const mirrorTarget = {
      ...mirror.target,
      path: mirrorPath,
      lookup: await lookedUp(qemu.dir, mirrorPath),
    };
    await runOk(runner(), planMirror(state, { ...mirror, target: mirrorTarget } as typeof mirror));
    await waitJob(runner(), mirror.jobId, ['ready']);
    await finishJob(runner(), mirror.jobId, 'complete');
    expect(await root()).toBe(mirror.target.nodeName);

    state = await live();
    const backup = defaultBackupInput(state, 'data');
    const backupPath = join(qemu.dir, 'b.qcow2');
    const backupTarget = {
      ...backup.target,
      path: backupPath,
      lookup: await lookedUp(qemu.dir, backupPath),
    };
    await runOk(runner(), planBackup(state, { ...backup, target: backupTarget } as typeof backup));
    await waitJob(runner(), backup.jobId, ['concluded']);
  });

  it('runs the export, throttle plans and the jobs panel verbs', async () => {
    let state = await live();
    const port = await freePort();
    const exportInput = {
      ...defaultExportInput(state, 'data'),
      address: { type: 'inet' as const, host: '127.0.0.1', port },
    };
    await runOk(runner(), planExport(state, exportInput));
    state = await live({ state: 'running', address: exportInput.address });
    await runOk(runner(), planExportRemove(state, exportInput.id));
    await runOk(
      runner(),
      planNbdServerStop(await live({ state: 'running', address: exportInput.address })),
    );

    state = await live();
    await runOk(
      runner(),
      planDeviceThrottle(state, { qdev: VDA, limits: { 'bps-total': 1 << 20 } }),
    );
    state = await live();
    await runOk(runner(), planDeviceThrottle(state, { qdev: VDA, limits: {} }));
    state = await live();
    await runOk(runner(), planGroupCreate(state, 'g1', { 'iops-total': 100 }));
    state = await live();
    const attach = defaultAttachInput(state, 'data', 'g1');
    await runOk(runner(), planGroupAttach(state, attach));
    state = await live();
    await runOk(runner(), planGroupDetach(state, attach.filterNodeName));
    await runOk(runner(), planGroupDelete(await live(), 'g1'));

    // The verbs the jobs panel sends (job-verbs.ts): job-* by id, block-job-set-speed by device.
    state = await live();
    const mirror = defaultMirrorInput(state, 'data');
    const m2 = join(qemu.dir, 'm2.qcow2');
    const target = { ...mirror.target, path: m2, lookup: await lookedUp(qemu.dir, m2) };
    await runOk(
      runner(),
      planMirror(state, { ...mirror, speed: 1024 * 1024, target } as typeof mirror),
    );
    await client.execute('job-pause', { id: mirror.jobId });
    await client.execute('job-resume', { id: mirror.jobId });
    await client.execute('block-job-set-speed', { device: mirror.jobId, speed: 0 });
    await waitJob(runner(), mirror.jobId, ['ready']);
    await client.execute('job-cancel', { id: mirror.jobId });
    // QEMU ends a cancelled job with the error 'Operation canceled'; the wait reports it.
    await expect(waitJob(runner(), mirror.jobId, ['concluded'])).rejects.toThrow(/cancel/i);
  });

  it('saw no reply refusing deprecated input after the first check', () => {
    const refusals = session.messages.filter(
      (m) =>
        m.id !== 'deprecated' &&
        'error' in m &&
        /deprecated|disabled by policy/i.test(JSON.stringify(m.error)),
    );
    expect(refusals).toEqual([]);
  });
});
