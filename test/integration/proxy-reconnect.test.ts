// Losing and regaining things, with a real qemu-system: a proxy restart leaves a running mirror
// running and a new session sees its progress; kill -9 of QEMU settles pending commands at once,
// and the proxy reconnects when QEMU is back on the same socket; a monitor held by someone else
// is reported as busy until it is released.
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProxyHandle } from '../../proxy/server.ts';
import { startProxy } from '../../proxy/server.ts';
import { startQemu, type RunningQemu } from '../../proxy/qemu/launch.ts';
import { startTestQemu, type TestQemu } from '../harness/qemu.ts';
import { proxyConfig, startTestProxy, waitForState, WsQmp, type Message } from './proxy-helpers.ts';

const GiB = 1024 * 1024 * 1024;
const nullNodes = [
  '-blockdev',
  `null-co,node-name=src,size=${GiB}`,
  '-blockdev',
  `null-co,node-name=dst,size=${GiB}`,
];
let qemu: TestQemu;
let restarted: RunningQemu | undefined;
const proxies: ProxyHandle[] = [];

beforeAll(async () => {
  qemu = await startTestQemu({ args: nullNodes });
});

afterAll(async () => {
  for (const proxy of proxies) await proxy.stop();
  await restarted?.stop();
  await qemu?.stop();
});

const config = () => proxyConfig([{ name: 'vm', address: { type: 'unix', path: qemu.qmpSocket } }]);
const progressOf = (m: Message) =>
  (m.data as { jobs: { 'current-progress': number }[] }).jobs[0]?.['current-progress'] ?? -1;
const jobsWithProgress = (m: Message) => m.event === 'X_BLOCKSCOPE_JOBS' && progressOf(m) > 0;

describe('proxy and QEMU restarts', () => {
  it('leaves a mirror running across a proxy restart, and a new session sees its progress', async () => {
    const first = await startTestProxy(config());
    proxies.push(first);
    const session = await WsQmp.open(first, 'vm');
    const mirror = { 'job-id': 'm1', device: 'src', target: 'dst', sync: 'full', speed: 16 << 20 };
    expect(await session.send({ execute: 'blockdev-mirror', arguments: mirror, id: 1 })).toEqual({
      return: {},
      id: 1,
    });
    const seen = progressOf(await session.next(jobsWithProgress));
    await first.stop();
    expect(await session.closed).toMatchObject({ code: 1001 });

    const [job] = await qemu.direct.execute<{ id: string; status: string }[]>('query-jobs');
    expect(job).toMatchObject({ id: 'm1', status: 'running' });

    const second = await startTestProxy(config());
    proxies.push(second);
    const fresh = await WsQmp.open(second, 'vm');
    const snapshot = await fresh.next((m) => m.event === 'X_BLOCKSCOPE_JOBS');
    expect((snapshot.data as { jobs: Message[] }).jobs[0]).toMatchObject({
      id: 'm1',
      type: 'mirror',
      status: 'running',
    });
    expect(progressOf(snapshot)).toBeGreaterThanOrEqual(seen);
    expect(await fresh.send({ execute: 'job-cancel', arguments: { id: 'm1' }, id: 2 })).toEqual({
      return: {},
      id: 2,
    });
    await fresh.next(
      (m) => m.event === 'JOB_STATUS_CHANGE' && (m.data as Message).status === 'null',
    );
    fresh.close();
    await second.stop();
  });

  it('settles pending commands when QEMU is killed, and reconnects when it is back on the same socket', async () => {
    const auditLog = join(qemu.dir, 'audit.jsonl');
    const proxy = await startTestProxy({ ...config(), auditLog });
    proxies.push(proxy);
    const upstream = proxy.multiplexers.get('vm')!.upstream;
    const session = await WsQmp.open(proxy, 'vm');
    await session.next((m) => m.event === 'X_BLOCKSCOPE_TARGET_STATE');
    // Stopped, QEMU reads nothing: both commands are certainly sent and certainly unanswered.
    process.kill(qemu.process.pid, 'SIGSTOP');
    const read = session.send({ execute: 'query-status', id: 'r' });
    const write = session.send({
      execute: 'blockdev-add',
      arguments: { driver: 'null-co', 'node-name': 'late', size: 1 << 20 },
      id: 'w',
    });
    while (upstream.pendingCount < 2) await new Promise((resolve) => setTimeout(resolve, 10));
    process.kill(qemu.process.pid, 'SIGKILL');
    expect(await read).toMatchObject({ error: { class: 'BlockscopeDisconnected' }, id: 'r' });
    expect(await write).toMatchObject({ error: { class: 'BlockscopeOutcomeUnknown' }, id: 'w' });
    const audited = (await readFile(auditLog, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(audited).toMatchObject([{ command: 'blockdev-add', outcome: 'outcome-unknown' }]);
    await session.next(
      (m) =>
        m.event === 'X_BLOCKSCOPE_TARGET_STATE' && (m.data as Message).state === 'disconnected',
    );
    expect(await session.send({ execute: 'query-status', id: 'd' })).toMatchObject({
      error: { class: 'BlockscopeDisconnected' },
    });
    await qemu.process.exited;

    // The same socket path, a new QEMU: the proxy finds it again, the open session is told.
    await rm(qemu.qmpSocket, { force: true });
    await rm(qemu.directSocket, { force: true });
    restarted = await startQemu({
      kind: 'system',
      qmpSockets: [qemu.qmpSocket, qemu.directSocket],
      args: nullNodes,
    });
    await waitForState(upstream, 'connected');
    await session.next(
      (m) => m.event === 'X_BLOCKSCOPE_TARGET_STATE' && (m.data as Message).state === 'connected',
    );
    expect(await session.send({ execute: 'query-status', id: 'again' })).toMatchObject({
      return: { status: 'prelaunch' },
      id: 'again',
    });
    session.close();
    await proxy.stop(); // frees the monitor for the next test
  });

  it('reports a monitor held by another client as busy, and connects once it is released', async () => {
    const holder = connect(qemu.qmpSocket);
    await new Promise((resolve) => holder.once('data', resolve)); // the holder's greeting
    const proxy = await startProxy(config(), {
      tokenStore: 'ephemeral',
      upstream: { greetingTimeoutMs: 300, minBackoffMs: 50, maxBackoffMs: 500 },
    });
    proxies.push(proxy);
    const upstream = proxy.multiplexers.get('vm')!.upstream;
    await waitForState(upstream, 'busy');
    const targets = await fetch(`${proxy.origin}/api/targets`, {
      headers: { Authorization: `Bearer ${proxy.token}` },
    });
    expect(await targets.json()).toMatchObject([{ name: 'vm', state: 'busy' }]);
    // A session opened now waits for QEMU's greeting rather than getting a made-up one.
    const session = await WsQmp.open(proxy, 'vm', { negotiate: false });
    holder.destroy();
    await session.next((m) => 'QMP' in m);
    await waitForState(upstream, 'connected');
    expect(await session.send({ execute: 'qmp_capabilities', id: 0 })).toEqual({
      return: {},
      id: 0,
    });
    expect(await session.send({ execute: 'query-status', id: 1 })).toMatchObject({ return: {} });
    session.close();
  });
});
