// Both kinds of QEMU over both transports: qemu-system and qemu-storage-daemon, on a unix socket
// and on TCP. Each is detected (kind, version), keeps same-id sessions apart, and delivers a job's
// events to every session.
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { TargetAddress } from '../../proxy/config.ts';
import type { ProxyHandle } from '../../proxy/server.ts';
import { startTestQemu, type TestQemu } from '../harness/qemu.ts';
import {
  directVersion,
  proxyConfig,
  startTestProxy,
  WsQmp,
  type Message,
} from './proxy-helpers.ts';

const MiB = 1024 * 1024;
let qemu: TestQemu | undefined;
let proxy: ProxyHandle | undefined;

afterEach(async () => {
  await proxy?.stop();
  await qemu?.stop();
  proxy = qemu = undefined;
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address ? address.port : 0;
}

const cases = [
  { kind: 'system', transport: 'unix', expected: 'qemu-system' },
  { kind: 'system', transport: 'tcp', expected: 'qemu-system' },
  { kind: 'storage-daemon', transport: 'unix', expected: 'qemu-storage-daemon' },
  { kind: 'storage-daemon', transport: 'tcp', expected: 'qemu-storage-daemon' },
] as const;

describe.each(cases)('$kind over $transport', ({ kind, transport, expected }) => {
  it('is detected, keeps same-id sessions apart and fans out job events', async () => {
    const port = transport === 'tcp' ? await freePort() : 0;
    const system = kind === 'system';
    const nodes = ['src', 'dst'].flatMap((name) => [
      system ? '-blockdev' : '--blockdev',
      `null-co,node-name=${name},size=${64 * MiB}`,
    ]);
    const tcpMonitor = system
      ? ['-qmp', `tcp:127.0.0.1:${port},server=on,wait=off`]
      : [
          '--chardev',
          `socket,id=tcpmon,host=127.0.0.1,port=${port},server=on,wait=off`,
          '--monitor',
          'chardev=tcpmon',
        ];
    qemu = await startTestQemu({
      kind,
      args: [...nodes, ...(transport === 'tcp' ? tcpMonitor : [])],
    });
    const address: TargetAddress =
      transport === 'tcp'
        ? { type: 'tcp', host: '127.0.0.1', port }
        : { type: 'unix', path: qemu.qmpSocket };
    proxy = await startTestProxy(proxyConfig([{ name: 't', address }]));

    const targets = await fetch(`${proxy.origin}/api/targets`, {
      headers: { Authorization: `Bearer ${proxy.token}` },
    });
    expect(await targets.json()).toEqual([
      {
        name: 't',
        state: 'connected',
        version: (await directVersion(qemu!)).text,
        kind: expected,
      },
    ]);

    const sessions = await Promise.all([0, 1, 2].map(() => WsQmp.open(proxy!, 't')));
    const commands = ['query-version', 'query-jobs', 'query-named-block-nodes'];
    for (const [i, session] of sessions.entries()) {
      session.ws.send(JSON.stringify({ execute: commands[i], id: 1 }));
    }
    const [version, jobs, nodesReply] = await Promise.all(
      sessions.map((s) => s.next((m) => m.id === 1)),
    );
    expect(version!.return).toHaveProperty('qemu.major', (await directVersion(qemu!)).major);
    expect(jobs!.return).toEqual([]);
    expect((nodesReply!.return as unknown[]).length).toBe(2);

    const mirror = { 'job-id': 'j', device: 'src', target: 'dst', sync: 'full', speed: MiB };
    expect(
      await sessions[0]!.send({ execute: 'blockdev-mirror', arguments: mirror, id: 2 }),
    ).toEqual({ return: {}, id: 2 });
    for (const session of sessions) {
      await session.next(
        (m) => m.event === 'JOB_STATUS_CHANGE' && (m.data as Message).status === 'running',
      );
      await session.next(
        (m) => m.event === 'X_BLOCKSCOPE_JOBS' && (m.data as { jobs: unknown[] }).jobs.length === 1,
      );
    }
    await sessions[1]!.send({ execute: 'job-cancel', arguments: { id: 'j' }, id: 3 });
    for (const session of sessions) {
      await session.next(
        (m) => m.event === 'JOB_STATUS_CHANGE' && (m.data as Message).status === 'null',
      );
      session.close();
    }
  });
});
