// qemu+ssh:// through libvirt's own SSH transport, to an sshd of the test's own on 127.0.0.1 with a
// temporary key and known_hosts: the remote guests are targets, an unknown host key is refused, and
// a host that goes down is shown as unreachable, tried again, and followed once it is back.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestLibvirt, type TestLibvirt } from '../harness/libvirt.ts';
import { startTestSshd, type TestSshd } from '../harness/sshd.ts';
import {
  listSources,
  startLibvirtProxy,
  waitForTarget,
  waitUntil,
  type LibvirtProxy,
} from './libvirt-helpers.ts';
import { WsQmp } from './proxy-helpers.ts';

let libvirt: TestLibvirt;
let sshd: TestSshd;
let proxy: LibvirtProxy | undefined;

beforeAll(async () => {
  libvirt = await startTestLibvirt();
  sshd = await startTestSshd();
  await libvirt.createGuest('bs-remote', [
    { target: 'vda', chain: ['remote-base.qcow2', 'remote-top.qcow2'], size: '16M' },
  ]);
});
afterAll(async () => {
  await proxy?.stop();
  await sshd?.close();
  await libvirt?.stop();
});

async function nodeNames(session: WsQmp, id: string): Promise<string[]> {
  const reply = await session.send({
    execute: 'query-named-block-nodes',
    arguments: { flat: true },
    id,
  });
  return (reply.return as { 'node-name': string }[]).map((n) => n['node-name']).sort();
}

describe('libvirt over qemu+ssh://', () => {
  it('watches a remote host’s guests, and follows the host going down and coming back', async () => {
    const uri = sshd.libvirtUri(libvirt.socket);
    proxy = await startLibvirtProxy([uri]);
    const row = await waitForTarget(proxy, 'bs-remote', (t) => t.state === 'connected');
    // the URI as the operator gave it (the proxy adds no_tty=1 only for its own clients)
    expect(row).toMatchObject({ managed: 'libvirt', uri, domain: 'bs-remote' });
    const session = await WsQmp.open(proxy, 'bs-remote');
    expect(await nodeNames(session, 'before')).toEqual([
      'libvirt-1-format',
      'libvirt-1-storage',
      'libvirt-2-format',
      'libvirt-2-storage',
    ]);

    await sshd.stop();
    const down = await waitUntil(
      'the source to be unreachable',
      () => listSources(proxy!),
      ([source]) => source?.state === 'unreachable',
    );
    expect(down[0]!.reason).toBeTruthy();
    expect(down[0]!.retryAt).toBeGreaterThan(Date.now() - 2_000);
    // the guest still runs over there: its target stays, not gone, while the host is away
    await waitForTarget(proxy, 'bs-remote', (t) => t.state !== 'connected');
    // still retrying, and saying why: nobody listens on the port now
    const refused = await waitUntil(
      'a retry that is refused',
      () => listSources(proxy!),
      ([source]) => /refused/i.test(source?.reason ?? ''),
    );
    expect(refused[0]!.state).toBe('unreachable');

    await sshd.start();
    await waitUntil(
      'the source to be back',
      () => listSources(proxy!),
      ([source]) => source?.state === 'connected',
    );
    await waitForTarget(proxy, 'bs-remote', (t) => t.state === 'connected');
    const again = await WsQmp.open(proxy, 'bs-remote');
    expect(await nodeNames(again, 'after')).toContain('libvirt-1-format');
    again.close();
  });

  it('checks the host key: a host the known_hosts does not vouch for is unreachable', async () => {
    await proxy?.stop();
    // the same key and sshd, but a known_hosts without the host's key
    const config = join(sshd.dir, 'ssh_config_unknown');
    writeFileSync(
      config,
      [
        'Host *',
        `  IdentityFile ${join(sshd.dir, 'id_ed25519')}`,
        '  IdentitiesOnly yes',
        `  UserKnownHostsFile ${join(sshd.dir, 'known_hosts_empty')}`,
        '  GlobalKnownHostsFile /dev/null',
        '  StrictHostKeyChecking yes',
        '',
      ].join('\n'),
    );
    writeFileSync(join(sshd.dir, 'known_hosts_empty'), '');
    const command = join(sshd.dir, 'ssh_unknown');
    writeFileSync(command, `#!/bin/sh\nexec /usr/bin/ssh -F '${config}' "$@"\n`, { mode: 0o755 });
    const uri = sshd.libvirtUri(libvirt.socket).replace(sshd.sshCommand, command);
    proxy = await startLibvirtProxy([uri]);
    const [source] = await waitUntil(
      'the source to be refused',
      () => listSources(proxy!),
      ([s]) => s?.state === 'unreachable',
    );
    expect(source!.reason).toMatch(
      /host key is known for \[127\.0\.0\.1\]:\d+ and you have requested strict checking/,
    );
    expect(proxy.multiplexers.size).toBe(0);
  });
});
