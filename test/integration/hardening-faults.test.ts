// Faults with real QEMUs that proxy-reconnect and proxy-faults (fake QMP) leave out: a QEMU
// stopped with SIGSTOP so replies hang and then continued (every command settles, late replies are
// dropped, a mutating one is reported as possibly run and a direct query says what happened);
// two real targets where one is stopped and the other keeps answering; and a QEMU killed with an
// NBD export and a running job, restarted on the same socket, where the proxy's view of jobs and
// exports equals a direct query and a new NBD server can take the same port.
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { startQemu, type RunningQemu } from '../../proxy/qemu/launch.ts';
import type { ProxyHandle } from '../../proxy/server.ts';
import { DirectQmp } from '../harness/direct-qmp.ts';
import { startTestQemu, type TestQemu } from '../harness/qemu.ts';
import { freePort } from '../fixtures/operations/vm.ts';
import { proxyConfig, startTestProxy, waitForState, WsQmp, type Message } from './proxy-helpers.ts';

const run = promisify(execFile);
const GiB = 1024 * 1024 * 1024;
const nullNodes = ['-blockdev', `null-co,node-name=src,size=${GiB}`];
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) {
    await cleanup().catch(() => {});
  }
});

async function qemuWithNullNodes(): Promise<TestQemu> {
  const qemu = await startTestQemu({ args: nullNodes });
  cleanups.push(async () => {
    try {
      process.kill(qemu.process.pid, 'SIGCONT');
    } catch {
      /* already gone */
    }
    await qemu.stop();
  });
  return qemu;
}

async function proxyFor(
  targets: { name: string; qemu: TestQemu }[],
  readTimeoutMs = 60_000,
): Promise<ProxyHandle> {
  const proxy = await startTestProxy(
    proxyConfig(
      targets.map(({ name, qemu }) => ({ name, address: { type: 'unix', path: qemu.qmpSocket } })),
    ),
    {
      upstream: { readTimeoutMs, writeTimeoutMs: readTimeoutMs, slowTimeoutMs: readTimeoutMs },
      jobPollIntervalMs: 100,
    },
  );
  cleanups.push(() => proxy.stop());
  return proxy;
}

describe('QEMU stopped, then continued', () => {
  it('settles hung commands, drops their late replies, and reports a write as possibly run', async () => {
    const qemu = await qemuWithNullNodes();
    const proxy = await proxyFor([{ name: 'vm', qemu }], 400);
    const session = await WsQmp.open(proxy, 'vm');
    process.kill(qemu.process.pid, 'SIGSTOP');
    const read = session.send({ execute: 'query-status', id: 1 });
    const write = session.send({
      execute: 'blockdev-add',
      arguments: { driver: 'null-co', 'node-name': 'during-stop', size: 1 << 20 },
      id: 'w',
    });
    const [readReply, writeReply] = await Promise.all([read, write]);
    // Both time out; only the write is flagged as possibly run (the proxy's timeout contract).
    expect(readReply).toMatchObject({ error: { class: 'BlockscopeTimeout' }, id: 1 });
    expect((readReply.error as Message).desc).not.toMatch(/may still run/);
    expect(writeReply).toMatchObject({
      error: { class: 'BlockscopeTimeout', desc: expect.stringMatching(/may still run/) },
      id: 'w',
    });
    process.kill(qemu.process.pid, 'SIGCONT');
    // QEMU now answers both; the proxy must not hand those answers to the next commands.
    const after = await Promise.all(
      [2, 3, 4].map((id) => session.send({ execute: 'query-named-block-nodes', id })),
    );
    for (const [i, reply] of after.entries()) {
      expect(reply).toMatchObject({ id: i + 2, return: expect.any(Array) });
    }
    expect(session.messages.filter((m) => m.id === 1 || m.id === 'w')).toHaveLength(2);
    // 'May still run' was the truth: the write did run once QEMU continued.
    const nodes = await qemu.direct.execute<{ 'node-name': string }[]>('query-named-block-nodes', {
      flat: true,
    });
    expect(nodes.map((n) => n['node-name'])).toContain('during-stop');
  });

  it('keeps a second real target answering while the first is stopped', async () => {
    const [stopped, healthy] = await Promise.all([qemuWithNullNodes(), qemuWithNullNodes()]);
    const proxy = await proxyFor([
      { name: 'stopped', qemu: stopped },
      { name: 'healthy', qemu: healthy },
    ]);
    const hung = await WsQmp.open(proxy, 'stopped');
    const fine = await WsQmp.open(proxy, 'healthy');
    process.kill(stopped.process.pid, 'SIGSTOP');
    const pending = Array.from({ length: 20 }, (_, id) =>
      hung.send({ execute: 'query-status', id }),
    );
    for (let id = 0; id < 50; id++) {
      expect(await fine.send({ execute: 'query-status', id })).toMatchObject({
        return: { status: 'prelaunch' },
        id,
      });
    }
    expect(hung.messages.filter((m) => typeof m.id === 'number')).toEqual([]);
    process.kill(stopped.process.pid, 'SIGCONT');
    const late = await Promise.all(pending);
    expect(late.map((m) => m.id)).toEqual(Array.from({ length: 20 }, (_, id) => id));
  });
});

describe('QEMU killed with an export and a job, restarted on the same socket', () => {
  it('shows jobs and exports equal to a direct query, and serves NBD again on the same port', async () => {
    const qemu = await qemuWithNullNodes();
    const proxy = await proxyFor([{ name: 'vm', qemu }]);
    const upstream = proxy.multiplexers.get('vm')!.upstream;
    const session = await WsQmp.open(proxy, 'vm');
    const port = await freePort();
    const exportNbd = async (prefix: string) => {
      const server = { addr: { type: 'inet', data: { host: '127.0.0.1', port: String(port) } } };
      const exported = { type: 'nbd', id: 'e', 'node-name': 'src', name: 'disk' };
      expect(
        await session.send({ execute: 'nbd-server-start', arguments: server, id: `${prefix}s` }),
      ).toEqual({ return: {}, id: `${prefix}s` });
      expect(
        await session.send({ execute: 'block-export-add', arguments: exported, id: `${prefix}e` }),
      ).toEqual({ return: {}, id: `${prefix}e` });
      const { stdout } = await run('/usr/bin/nbdinfo', ['--size', `nbd://127.0.0.1:${port}/disk`]);
      expect(Number(stdout.trim())).toBe(GiB);
    };
    await exportNbd('a');
    await session.send({
      execute: 'blockdev-add',
      arguments: { driver: 'null-co', 'node-name': 'dst', size: GiB },
      id: 'dst',
    });
    const mirror = { 'job-id': 'm', device: 'src', target: 'dst', sync: 'full', speed: 1 << 20 };
    expect(await session.send({ execute: 'blockdev-mirror', arguments: mirror, id: 'm' })).toEqual({
      return: {},
      id: 'm',
    });
    await session.next((m) => m.event === 'X_BLOCKSCOPE_JOBS' && jobIds(m).includes('m'));

    process.kill(qemu.process.pid, 'SIGKILL');
    await qemu.process.exited;
    await session.next(
      (m) =>
        m.event === 'X_BLOCKSCOPE_TARGET_STATE' && (m.data as Message).state === 'disconnected',
    );
    await rm(qemu.qmpSocket, { force: true });
    await rm(qemu.directSocket, { force: true });
    const restarted: RunningQemu = await startQemu({
      kind: 'system',
      qmpSockets: [qemu.qmpSocket, qemu.directSocket],
      args: nullNodes,
    });
    cleanups.push(() => restarted.stop());
    const direct = await DirectQmp.connect(qemu.directSocket);
    cleanups.push(async () => direct.close());
    await waitForState(upstream, 'connected');
    const mark = session.messages.length;
    // The first job poll after the reconnect: the job of the dead QEMU is gone, as QEMU says.
    const jobs = await session.next(
      (m) => m.event === 'X_BLOCKSCOPE_JOBS' && session.messages.indexOf(m) >= mark,
    );
    expect((jobs.data as { jobs: unknown[] }).jobs).toEqual(await direct.execute('query-jobs'));
    const exports = await session.send({ execute: 'query-block-exports', id: 'x' });
    expect(exports.return).toEqual(await direct.execute('query-block-exports'));
    expect(exports.return).toEqual([]);
    // Nothing of the old server lingers in the proxy: a new one takes the same port.
    await exportNbd('b');
  });
});

function jobIds(m: Message): string[] {
  return ((m.data as { jobs: { id: string }[] }).jobs ?? []).map((j) => j.id);
}
