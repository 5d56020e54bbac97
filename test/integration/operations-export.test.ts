// NBD export plans against a real qemu-system: one-click export with safe defaults (server on
// 127.0.0.1, read-only, named after the node), bitmaps through a frozen copy, removal and server
// stop. Read from outside with nbdinfo and nbdcopy, compared with the image.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { imagesIdentical } from '../harness/qemu.ts';
import { planBitmapAdd } from '../../src/features/operations/plans/bitmaps.ts';
import {
  defaultExportInput,
  planExport,
  planExportRemove,
  planNbdServerStop,
} from '../../src/features/operations/plans/export.ts';
import type { NbdAddress } from '../../src/features/operations/plans/live-state.ts';
import { runPlan } from '../../src/features/operations/run-plan.ts';
import { lookedUp } from '../fixtures/operations/look-up.ts';
import {
  expectPlan,
  freePort,
  run,
  runOk,
  startOpsQemu,
  type OpsQemu,
} from '../fixtures/operations/vm.ts';

let ops: OpsQemu | undefined;
afterEach(async () => {
  await ops?.stop();
  ops = undefined;
});

interface NbdInfo {
  exports: {
    'export-name': string;
    'export-size': number;
    is_read_only: boolean;
    contexts: string[];
  }[];
}

async function nbdinfo(uri: string): Promise<NbdInfo> {
  const { stdout } = await run('/usr/bin/nbdinfo', ['--json', uri]);
  return JSON.parse(stdout) as NbdInfo;
}

describe('export plans', () => {
  it('exports a node read-only in one click and serves the same data', async () => {
    ops = await startOpsQemu();
    const port = await freePort();
    const live = await ops.live({ state: 'stopped' });
    const input = defaultExportInput(live, 'top');
    expect(input).toMatchObject({ id: 'top', name: 'top', writable: false });
    const address: NbdAddress = { type: 'inet', host: '127.0.0.1', port };
    const plan = expectPlan(planExport(live, { ...input, address, maxConnections: 4 }));
    expect(plan.steps.map((s) => s.command)).toEqual(['nbd-server-start', 'block-export-add']);
    expect(plan.steps[0]?.arguments).toEqual({
      addr: { type: 'inet', data: { host: '127.0.0.1', port: String(port) } },
      'max-connections': 4,
    });
    expect(plan.result?.uri).toBe(`nbd://127.0.0.1:${port}/top`);
    await runOk(ops.runner, { ok: true, plan });

    const info = await nbdinfo(plan.result?.uri ?? '');
    expect(info.exports[0]).toMatchObject({
      'export-name': 'top',
      'export-size': 16 * 1024 * 1024,
      is_read_only: true,
    });
    const copy = join(ops.dir, 'via-nbd.raw');
    await run('/usr/bin/nbdcopy', [plan.result?.uri ?? '', copy]);
    expect(await imagesIdentical(join(ops.dir, 'reference.raw'), copy)).toBe(true);

    // A second export reuses the running server; then remove both and stop the server.
    const running = await ops.live({ state: 'running', address });
    const second = planExport(running, {
      ...defaultExportInput(running, 'data'),
      allocationDepth: true,
    });
    const secondPlan = expectPlan(second);
    expect(secondPlan.steps.map((s) => s.command)).toEqual(['block-export-add']);
    await runOk(ops.runner, second);
    const dataInfo = await nbdinfo(secondPlan.result?.uri ?? '');
    expect(dataInfo.exports[0]?.contexts).toContain('qemu:allocation-depth');

    await runOk(
      ops.runner,
      planExportRemove(await ops.live({ state: 'running', address }), 'data'),
    );
    await runOk(ops.runner, planNbdServerStop(await ops.live({ state: 'running', address })));
    await expect(run('/usr/bin/nbdinfo', ['--json', plan.result?.uri ?? ''])).rejects.toThrow();
  });

  it('publishes a recording bitmap through a frozen copy, as read-only exports require', async () => {
    ops = await startOpsQemu();
    await runOk(ops.runner, planBitmapAdd(await ops.live(), 'top', { name: 'changes' }));
    const address: NbdAddress = { type: 'unix', path: join(ops.dir, 'nbd.sock') };
    const live = await ops.live({ state: 'stopped' });
    const plan = expectPlan(
      planExport(live, {
        ...defaultExportInput(live, 'top'),
        address,
        bitmaps: ['changes'],
        socketLookup: await lookedUp(ops.dir, address.path),
      }),
    );
    expect(plan.steps.map((s) => s.command)).toEqual([
      'nbd-server-start',
      'transaction',
      'block-export-add',
    ]);
    expect(plan.result?.uri).toBe(`nbd+unix:///top?socket=${encodeURIComponent(address.path)}`);
    await runOk(ops.runner, { ok: true, plan });
    const info = await nbdinfo(plan.result?.uri ?? '');
    expect(info.exports[0]?.contexts).toContain('qemu:dirty-bitmap:changes-frozen');
  });

  it('reports QEMU refusing a recording bitmap and undoes the server start', async () => {
    ops = await startOpsQemu();
    await runOk(ops.runner, planBitmapAdd(await ops.live(), 'top', { name: 'rec' }));
    const port = await freePort();
    // Bypass the frozen copy by hand to see QEMU's own refusal and the runner's undo.
    const plan = expectPlan(
      planExport(await ops.live({ state: 'stopped' }), {
        ...defaultExportInput(await ops.live(), 'top'),
        address: { type: 'inet', host: '127.0.0.1', port },
      }),
    );
    const last = plan.steps.at(-1);
    if (last) last.arguments.bitmaps = ['rec'];
    const outcome = await runPlan(ops.runner, plan);
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.failure.message).toMatch(/incompatible with readonly export/);
    expect(outcome.failure.hint).toMatch(/disabled copy/);
    expect(outcome.failure.undoErrors).toEqual([]);
    // The undo stopped the server: starting it again works.
    await ops.qemu.direct.execute('nbd-server-start', {
      addr: { type: 'inet', data: { host: '127.0.0.1', port: String(port) } },
    });
  });

  it('refuses a non-loopback address and a duplicate export id before sending anything', async () => {
    ops = await startOpsQemu();
    const live = await ops.live({ state: 'stopped' });
    const open = planExport(live, {
      ...defaultExportInput(live, 'top'),
      address: { type: 'inet', host: '0.0.0.0', port: 10809 },
    });
    expect(!open.ok && open.problems[0]?.message).toMatch(/expose the disk/);
    const dup = planExport(
      {
        ...live,
        exports: [{ id: 'top', type: 'nbd', 'node-name': 'top', 'shutting-down': false }],
      },
      { ...defaultExportInput(live, 'top'), id: 'top' },
    );
    expect(!dup.ok && dup.problems[0]?.message).toMatch(/already in use/);
  });

  it('starts a unix-socket server only where nothing is: a file there is never replaced', async () => {
    ops = await startOpsQemu();
    const dir = ops.dir;
    // What the proxy's look-up says about a path (the page asks GET /api/targets/NAME/file).
    const look = (path: string) => lookedUp(dir, path);
    const live = await ops.live({ state: 'stopped' });
    const taken = join(dir, 'precious.txt');
    writeFileSync(taken, 'keep me\n');
    const unix = (path: string): NbdAddress => ({ type: 'unix', path });
    const onFile = { ...defaultExportInput(live, 'top'), address: unix(taken) };

    // Not looked at yet: refused, nothing sent. A regular file there: refused, with why.
    const unchecked = planExport(live, onFile);
    expect(!unchecked.ok && unchecked.problems[0]).toMatchObject({ pending: true });
    const refused = planExport(live, {
      ...onFile,
      socketLookup: await look(taken),
    });
    expect(!refused.ok && refused.problems[0]?.message).toMatch(
      /precious\.txt exists .*QEMU would delete it to listen there/,
    );

    // A free path: the server starts there and serves the export over the socket.
    const free = join(dir, 'nbd.sock');
    const input = { ...defaultExportInput(live, 'top'), address: unix(free) };
    const plan = expectPlan(
      planExport(live, {
        ...input,
        socketLookup: await look(free),
      }),
    );
    // Between plan and run a file appears at the path: the runner looks again and stops.
    writeFileSync(free, 'arrived late\n');
    const late = await runPlan(ops.runner, plan, { lookUpPath: look });
    expect(late.ok).toBe(false);
    if (!late.ok) expect(late.failure.message).toMatch(/appeared since the plan was made/);
    expect(readFileSync(free, 'utf8')).toBe('arrived late\n');
    expect(readFileSync(taken, 'utf8')).toBe('keep me\n');
    expect(await ops.qemu.direct.execute('query-block-exports')).toEqual([]);

    const sock = join(dir, 'nbd2.sock');
    const ok = expectPlan(
      planExport(live, {
        ...input,
        address: unix(sock),
        socketLookup: await look(sock),
      }),
    );
    await runOk(ops.runner, { ok: true, plan: ok });
    const info = await nbdinfo(`nbd+unix:///top?socket=${sock}`);
    expect(info.exports[0]).toMatchObject({ 'export-name': 'top', is_read_only: true });
  });
});
