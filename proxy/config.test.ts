import { describe, expect, it } from 'vitest';
import { ConfigError, parseServerArgs } from './config.ts';

const parse = (args: string[]) => parseServerArgs(args, { requireTargets: true });

describe('parseServerArgs', () => {
  it('reads targets, listen address and the policy flags', () => {
    const config = parse([
      '--target',
      'vm1=unix:/run/vm1.sock',
      '--target',
      'qsd=tcp:127.0.0.1:4444',
      '--allow-path',
      '/srv/images',
      '--allow-command',
      'human-monitor-command',
      '--allow-remote-nbd',
    ]);
    expect(config.targets).toEqual([
      { name: 'vm1', address: { type: 'unix', path: '/run/vm1.sock' } },
      { name: 'qsd', address: { type: 'tcp', host: '127.0.0.1', port: 4444 } },
    ]);
    expect(config.listen).toEqual({ host: '127.0.0.1', port: 7780 });
    expect(config.allowPaths).toEqual(['/srv/images']);
    expect(config.allowCommands).toEqual(['human-monitor-command']);
    expect(config.allowRemoteNbd).toBe(true);
  });

  it('refuses a non-loopback address without TLS, in one line', () => {
    const args = ['--target', 'a=unix:/x', '--listen', '0.0.0.0:7780'];
    expect(() => parse(args)).toThrow(ConfigError);
    expect(() => parse(args)).toThrow(/without TLS/);
    expect(() => parse([...args, '--tls-cert', 'c.pem'])).toThrow(/go together/);
    expect(parse([...args, '--tls-cert', 'c.pem', '--tls-key', 'k.pem']).tls).toEqual({
      cert: 'c.pem',
      key: 'k.pem',
    });
    expect(() => parse(['--target', 'a=unix:/x', '--listen', '[::1]:7780'])).not.toThrow();
  });

  it('explains bad targets and unknown flags', () => {
    expect(() => parse(['--target', 'vm'])).toThrow(/NAME=unix:PATH/);
    expect(() => parse(['--target', '1vm=unix:/x'])).toThrow(/must start with a letter/);
    expect(() => parse(['--target', 'a=unix:/x', '--target', 'a=unix:/y'])).toThrow(/used twice/);
    expect(() => parse([])).toThrow(/no --target/);
    expect(() => parse(['--target', 'a=unix:/x', '--bogus'])).toThrow(ConfigError);
  });

  it("refuses Proxmox's own monitor socket, with the recipe for a second monitor", () => {
    for (const path of ['/var/run/qemu-server/100.qmp', '/run/qemu-server/100.qmp']) {
      const attempt = () => parse(['--target', `pve=unix:${path}`]);
      expect(attempt).toThrow(ConfigError);
      expect(attempt).toThrow(/Proxmox's own monitor socket/);
      expect(attempt).toThrow(
        "qm set 100 --args '-qmp unix:/run/blockscope/100.qmp,server=on,wait=off'",
      );
      expect(attempt).toThrow('--target pve=unix:/run/blockscope/100.qmp');
    }
    // the recipe's own socket, and other files in that directory, are fine
    expect(parse(['--target', 'pve=unix:/run/blockscope/100.qmp']).targets).toHaveLength(1);
    expect(parse(['--target', 'pve=unix:/run/qemu-server/100.qga']).targets).toHaveLength(1);
    expect(() => parse(['--target', 'pve=unix:/run/qemu-server/../qemu-server/7.qmp'])).toThrow(
      /qm set 7/,
    );
  });

  it('reads --libvirt URIs and --libvirt-allow-writes; a URI alone is enough to serve', () => {
    const config = parse([
      '--libvirt',
      'qemu:///system',
      '--libvirt',
      'qemu+ssh://root@db1/system',
      '--libvirt-allow-writes',
    ]);
    expect(config.libvirt).toEqual(['qemu:///system', 'qemu+ssh://root@db1/system']);
    expect(config.libvirtAllowWrites).toBe(true);
    expect(config.targets).toEqual([]);
    expect(parse(['--libvirt', 'qemu:///system']).libvirtAllowWrites).toBe(false);
    expect(() => parse(['--target', 'a=unix:/x', '--libvirt-allow-writes'])).toThrow(
      /needs --libvirt/,
    );
  });
});
