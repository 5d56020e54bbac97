// --target-dir with real QEMUs: sockets that appear while the server runs become targets named
// after the file (qemu-system and qemu-storage-daemon alike), a socket that is not QMP is listed as
// such, a removed socket's target is shown gone and sessions hear each change; a directory that
// cannot be read is reported, and followed once it is back.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startQemu, type RunningQemu } from '../../proxy/qemu/launch.ts';
import { startProxy, type ProxyHandle } from '../../proxy/server.ts';
import { makeTempDir } from '../harness/qemu.ts';
import { listSources, listTargets, waitForTarget, waitUntil } from './libvirt-helpers.ts';
import { proxyConfig, WsQmp } from './proxy-helpers.ts';

const MiB = 1024 * 1024;
let dir: string;
let proxy: ProxyHandle;
const log: string[] = [];
const running: RunningQemu[] = [];
let notQmp: Server | undefined;

beforeAll(async () => {
  dir = await makeTempDir('blockscope-target-dir-');
  // a regular file and a name that cannot be a target's are not targets
  writeFileSync(join(dir, 'notes.txt'), 'not a socket\n');
  proxy = await startProxy(proxyConfig([], { targetDirs: [dir] }), {
    tokenStore: 'ephemeral',
    upstream: { greetingTimeoutMs: 1_000, minBackoffMs: 50, maxBackoffMs: 500 },
    goneRetentionMs: 60_000,
    // a long rescan: what the test sees in time came from fs.watch
    targetDirRescanMs: 60_000,
    log: (line) => log.push(line),
  });
});
afterAll(async () => {
  await proxy?.stop();
  for (const qemu of running) await qemu.stop();
  notQmp?.close();
  rmSync(dir, { recursive: true, force: true });
});

function start(kind: 'system' | 'storage-daemon', socket: string): Promise<RunningQemu> {
  const flag = kind === 'system' ? '-blockdev' : '--blockdev';
  return startQemu({
    kind,
    qmpSockets: [join(dir, socket)],
    args: [flag, `null-co,node-name=disk0,size=${16 * MiB}`],
  }).then((qemu) => {
    running.push(qemu);
    return qemu;
  });
}

describe('--target-dir', () => {
  it('follows QMP sockets that appear and go while the server runs', async () => {
    const [source] = await waitUntil(
      'the directory to be read',
      () => listSources(proxy),
      ([s]) => s?.state === 'connected',
    );
    expect(source).toEqual({ kind: 'target-dir', id: dir, state: 'connected', targets: 0 });
    expect(await listTargets(proxy)).toEqual([]);

    await start('storage-daemon', 'store.qmp');
    const store = await waitForTarget(proxy, 'store', (t) => t.state === 'connected');
    expect(store).toMatchObject({ kind: 'qemu-storage-daemon', dir });
    const session = await WsQmp.open(proxy, 'store');

    const vm1 = await start('system', 'vm1.qmp');
    expect(await waitForTarget(proxy, 'vm1', (t) => t.state === 'connected')).toMatchObject({
      kind: 'qemu-system',
      dir,
    });
    const added = await session.next(
      (m) =>
        m.event === 'X_BLOCKSCOPE_TARGETS' &&
        ((m.data as { added?: string[] }).added ?? []).includes('vm1'),
    );
    expect(added.data).toEqual({ added: ['vm1'] });
    const vmSession = await WsQmp.open(proxy, 'vm1');
    const nodes = await vmSession.send({ execute: 'query-named-block-nodes', id: 1 });
    expect((nodes.return as { 'node-name': string }[]).map((n) => n['node-name'])).toContain(
      'disk0',
    );

    // a socket whose listener says something that is not a QMP greeting
    notQmp = createServer((socket) => socket.end('SSH-2.0-OpenSSH_9.2\r\n'));
    await new Promise<void>((resolve) => notQmp!.listen(join(dir, 'stranger.sock'), resolve));
    const stranger = await waitForTarget(
      proxy,
      'stranger',
      (t) => t.state === 'disconnected' && t.reason !== undefined,
    );
    expect(stranger.reason).toMatch(/did not start with a QMP greeting/);

    // QEMU removes its socket when it exits: the target is gone, with why
    await vm1.stop();
    const gone = await waitForTarget(proxy, 'vm1', (t) => t.state === 'gone');
    expect(gone.reason).toBe(`the socket ${join(dir, 'vm1.qmp')} was removed`);
    await session.next(
      (m) =>
        m.event === 'X_BLOCKSCOPE_TARGETS' &&
        ((m.data as { gone?: string[] }).gone ?? []).includes('vm1'),
    );
    expect(await vmSession.closed).toMatchObject({ reason: expect.stringMatching(/removed/) });

    // the same name coming back is live again
    await start('system', 'vm1.qmp');
    await waitForTarget(proxy, 'vm1', (t) => t.state === 'connected');
    expect((await listTargets(proxy)).map((t) => t.name).sort()).toEqual([
      'store',
      'stranger',
      'vm1',
    ]);
    expect((await listSources(proxy))[0]).toMatchObject({ state: 'connected', targets: 3 });
    session.close();
  });

  it('reports a directory that cannot be read, and follows it once it is back', async () => {
    rmSync(dir, { recursive: true, force: true });
    await waitUntil(
      'the directory to be reported',
      () => listSources(proxy),
      ([s]) => s?.state === 'unreachable',
    );
    const [source] = await listSources(proxy);
    expect(source!.reason).toMatch(/cannot read the directory \(ENOENT\)/);
    expect((await listTargets(proxy)).filter((t) => t.state !== 'gone').map((t) => t.name)).toEqual(
      [],
    );
    mkdirSync(dir);
    await start('storage-daemon', 'again.qmp');
    await waitForTarget(proxy, 'again', (t) => t.state === 'connected');
  });
});
