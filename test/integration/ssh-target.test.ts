// An ssh:// target through an sshd of the test's own on 127.0.0.1 (temporary host and user keys,
// the client configuration given with --ssh-config) to a real QEMU's monitor: the graph and a job
// through the forward, the link cut (ssh killed, then the sshd stopped) and restored, an unknown
// host key and a refused key reported in plain words, and no ssh left behind by a proxy that was
// killed with SIGKILL.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pathToFileURL } from 'node:url';
import { startProxy, type ProxyHandle } from '../../proxy/server.ts';
import { ensureServerBuilt } from '../harness/server-build.ts';
import { startQemu } from '../../proxy/qemu/launch.ts';
import { startTestQemu, type TestQemu } from '../harness/qemu.ts';
import { startTestSshd, type TestSshd } from '../harness/sshd.ts';
import { waitForTarget, waitUntil } from './libvirt-helpers.ts';
import { proxyConfig, startTestProxy, WsQmp, type Message } from './proxy-helpers.ts';

const MiB = 1024 * 1024;
let qemu: TestQemu;
let sshd: TestSshd;
const proxies: ProxyHandle[] = [];

beforeAll(async () => {
  sshd = await startTestSshd();
  qemu = await startTestQemu({
    args: [
      '-blockdev',
      `null-co,node-name=src,size=${256 * MiB}`,
      '-blockdev',
      `null-co,node-name=dst,size=${256 * MiB}`,
    ],
  });
});
// Each test's proxies go with it: QEMU's monitor serves one client, and a proxy left connected
// would hold it from the next test's.
afterEach(async () => {
  for (const proxy of proxies.splice(0)) await proxy.stop();
});
afterAll(async () => {
  await qemu?.stop();
  await sshd?.close();
});

const sshUrl = () => `ssh://root@127.0.0.1:${sshd.port}${qemu.qmpSocket}`;

/** The proxy with one ssh:// target, waiting until it is connected. */
async function startSshProxy(configFile: string): Promise<ProxyHandle> {
  const config = proxyConfig([{ name: 'remote', address: { type: 'ssh', ...sshTarget() } }], {
    sshConfig: configFile,
  });
  const proxy = await startTestProxy(config, { ssh: { minRestartMs: 200, maxRestartMs: 1_000 } });
  proxies.push(proxy);
  return proxy;
}

function sshTarget() {
  return { user: 'root', host: '127.0.0.1', port: sshd.port, path: qemu.qmpSocket };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A client configuration like the harness's, with another known_hosts or key. */
function clientConfig(name: string, knownHosts: string, key: string): string {
  const file = join(sshd.dir, name);
  writeFileSync(
    file,
    [
      'Host *',
      `  IdentityFile ${key}`,
      '  IdentitiesOnly yes',
      `  UserKnownHostsFile ${knownHosts}`,
      '  GlobalKnownHostsFile /dev/null',
      '',
    ].join('\n'),
  );
  return file;
}

describe('ssh:// targets', () => {
  it('shows the graph and runs a job through the forward, and follows the link cut and restored', async () => {
    const proxy = await startSshProxy(join(sshd.dir, 'ssh_config'));
    const [row] = (await (
      await fetch(`${proxy.origin}/api/targets`, {
        headers: { Authorization: `Bearer ${proxy.token}` },
      })
    ).json()) as Message[];
    expect(row).toMatchObject({
      name: 'remote',
      state: 'connected',
      kind: 'qemu-system',
      remote: sshUrl(),
    });

    const session = await WsQmp.open(proxy, 'remote');
    const nodes = await session.send({ execute: 'query-named-block-nodes', id: 'n' });
    expect((nodes.return as { 'node-name': string }[]).map((n) => n['node-name']).sort()).toEqual([
      'dst',
      'src',
    ]);
    const mirror = { 'job-id': 'm1', device: 'src', target: 'dst', sync: 'full', speed: 8 * MiB };
    expect(await session.send({ execute: 'blockdev-mirror', arguments: mirror, id: 'm' })).toEqual({
      return: {},
      id: 'm',
    });
    // the proxy's job poller reads the job's progress through the forward too
    await session.next(
      (m) =>
        m.event === 'X_BLOCKSCOPE_JOBS' &&
        ((m.data as { jobs: { 'current-progress': number }[] }).jobs[0]?.['current-progress'] ??
          0) > 0,
    );

    // the link is cut: ssh is killed; the target says so, and ssh is started again
    const firstPid = proxy.sshPid('remote')!;
    process.kill(firstPid, 'SIGKILL');
    const cut = await waitForTarget(proxy, 'remote', (t) => t.state === 'disconnected');
    expect(cut.reason).toMatch(/^link lost/);
    // the session stays open and hears why, as for a local QEMU that went away. The forward's
    // socket may report its reset (ECONNRESET) a moment before ssh's exit is classified: the
    // reason the session is told settles on the link.
    const told = await session.next(
      (m) =>
        m.event === 'X_BLOCKSCOPE_TARGET_STATE' &&
        (m.data as { state: string }).state === 'disconnected' &&
        /^link lost|closed the connection/.test((m.data as { reason?: string }).reason ?? ''),
    );
    expect((told.data as { reason: string }).reason).toMatch(/^link lost|closed the connection/);
    await waitForTarget(proxy, 'remote', (t) => t.state === 'connected');
    expect(proxy.sshPid('remote')).not.toBe(firstPid);
    const again = await WsQmp.open(proxy, 'remote');
    const jobs = await again.send({ execute: 'query-block-jobs', id: 'j' });
    expect(jobs.return).toEqual([expect.objectContaining({ device: 'm1' })]);

    // the host goes down: sshd and its sessions end; nobody listens, then it is back
    await sshd.stop();
    const down = await waitForTarget(proxy, 'remote', (t) =>
      /^cannot reach host/.test(t.reason ?? ''),
    );
    expect(down.state).toBe('disconnected');
    expect(down.reason).toMatch(/Connection refused/);
    await sshd.start();
    await waitForTarget(proxy, 'remote', (t) => t.state === 'connected');
    const back = await WsQmp.open(proxy, 'remote');
    expect((await back.send({ execute: 'query-block-jobs', id: 'k' })).return).toEqual([
      expect.objectContaining({ device: 'm1' }),
    ]);
    await back.send({ execute: 'block-job-cancel', arguments: { device: 'm1' }, id: 'c' });
    back.close();
    again.close();
    await proxy.stop();
    expect(alive(firstPid)).toBe(false);
  });

  it('reports an unknown host key and a refused key in plain words', async () => {
    writeFileSync(join(sshd.dir, 'known_hosts_empty'), '');
    const unknownHost = clientConfig(
      'ssh_config_unknown_host',
      join(sshd.dir, 'known_hosts_empty'),
      join(sshd.dir, 'id_ed25519'),
    );
    const proxy = await startSshProxyNoWait(unknownHost);
    const row = await waitForTarget(proxy, 'remote', (t) =>
      /^host key unknown/.test(t.reason ?? ''),
    );
    expect(row.state).toBe('disconnected');
    expect(row.reason).toMatch(/host key is known for \[127\.0\.0\.1\]:\d+/);
    await proxy.stop();

    // a key sshd does not accept: the harness's host key pair stands in for a stranger's key
    const wrongKey = clientConfig(
      'ssh_config_wrong_key',
      join(sshd.dir, 'known_hosts'),
      join(sshd.dir, 'host_ed25519'),
    );
    const refused = await startSshProxyNoWait(wrongKey);
    const denied = await waitForTarget(refused, 'remote', (t) =>
      /^authentication failed/.test(t.reason ?? ''),
    );
    expect(denied.reason).toMatch(/Permission denied/);
  });

  it('says when the remote socket cannot be opened, and connects once it exists', async () => {
    const missing = join(sshd.dir, 'later.qmp');
    const proxy = await startProxy(
      proxyConfig([{ name: 'remote', address: { type: 'ssh', ...sshTarget(), path: missing } }], {
        sshConfig: join(sshd.dir, 'ssh_config'),
      }),
      { tokenStore: 'ephemeral', ssh: { minRestartMs: 200, maxRestartMs: 1_000 } },
    );
    proxies.push(proxy);
    const row = await waitForTarget(proxy, 'remote', (t) => /^remote socket/.test(t.reason ?? ''));
    expect(row.state).toBe('disconnected');
    expect(row.reason).toContain(`remote socket ${missing} cannot be opened (ssh: `);
    // sshd gives no errno: ssh says only that the connection was refused over there
    expect(row.reason).toMatch(/connect failed/);
    // a QEMU monitor appears at that path: the same ssh carries it
    const pid = proxy.sshPid('remote');
    const later = await startQemu({ kind: 'storage-daemon', qmpSockets: [missing], args: [] });
    try {
      await waitForTarget(proxy, 'remote', (t) => t.state === 'connected');
      expect(proxy.sshPid('remote')).toBe(pid);
    } finally {
      await proxy.stop();
      await later.stop();
    }
  });

  it('leaves no ssh behind when the proxy process is killed with SIGKILL', async () => {
    ensureServerBuilt();
    const built = pathToFileURL(join(import.meta.dirname, '../../dist-server/proxy/server.js'));
    const script = `
      import { startProxy } from ${JSON.stringify(built.href)};
      const proxy = await startProxy(${JSON.stringify(
        proxyConfig([{ name: 'remote', address: { type: 'ssh', ...sshTarget() } }], {
          sshConfig: join(sshd.dir, 'ssh_config'),
        }),
      )}, { tokenStore: 'ephemeral' });
      const mux = proxy.multiplexers.get('remote');
      const report = () => { if (mux.upstream.currentState === 'connected') console.log(proxy.sshPid('remote')); };
      mux.upstream.onState(report);
      report();
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const pid = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += String(chunk);
        const line = /^(\d+)\n/.exec(out);
        if (line) resolve(Number(line[1]));
      });
      child.once('exit', (code) => reject(new Error(`the proxy exited (${code}) first`)));
    });
    expect(alive(pid)).toBe(true);
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toContain('ssh');
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    await waitUntil(
      'ssh to end after its proxy was killed',
      () => Promise.resolve(alive(pid)),
      (running) => !running,
      5_000,
    );
  });
});

/** The proxy with one ssh:// target that is not expected to connect. */
async function startSshProxyNoWait(configFile: string): Promise<ProxyHandle> {
  const proxy = await startProxy(
    proxyConfig([{ name: 'remote', address: { type: 'ssh', ...sshTarget() } }], {
      sshConfig: configFile,
    }),
    { tokenStore: 'ephemeral', ssh: { minRestartMs: 200, maxRestartMs: 1_000 } },
  );
  proxies.push(proxy);
  return proxy;
}
