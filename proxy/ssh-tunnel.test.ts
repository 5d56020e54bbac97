import { describe, expect, it } from 'vitest';
import { ConfigError, parseServerArgs } from './config.ts';
import { classifySshFailure, formatSshAddress, sshArguments } from './ssh-tunnel.ts';

const parse = (args: string[]) => parseServerArgs(args, { requireTargets: true });

describe('ssh:// targets on the command line', () => {
  it('reads user, host, port and path, and gives them to ssh as separate arguments', () => {
    const { targets, sshConfig } = parse([
      '--target',
      'vm=ssh://ops@kvm1.example:2222/run/vm/qmp.sock',
      '--target',
      'v6=ssh://[fd00::1]/run/v6.qmp',
      '--ssh-config',
      '/etc/blockscope/ssh_config',
    ]);
    const [vm, v6] = targets;
    expect(vm!.address).toEqual({
      type: 'ssh',
      user: 'ops',
      host: 'kvm1.example',
      port: 2222,
      path: '/run/vm/qmp.sock',
    });
    expect(v6!.address).toEqual({ type: 'ssh', host: 'fd00::1', path: '/run/v6.qmp' });
    expect(sshConfig).toBe('/etc/blockscope/ssh_config');
    if (vm!.address.type !== 'ssh') throw new Error('not ssh');
    expect(formatSshAddress(vm!.address)).toBe('ssh://ops@kvm1.example:2222/run/vm/qmp.sock');
    const args = sshArguments({
      address: vm!.address,
      localPath: '/tmp/x/vm.sock',
      configFile: '/etc/blockscope/ssh_config',
    });
    expect(args.slice(0, 2)).toEqual(['-F', '/etc/blockscope/ssh_config']);
    for (const option of ['BatchMode=yes', 'StrictHostKeyChecking=yes', 'ExitOnForwardFailure=yes'])
      expect(args[args.indexOf(option) - 1]).toBe('-o');
    expect(args.slice(-6)).toEqual([
      '-l',
      'ops',
      '-L',
      '/tmp/x/vm.sock:/run/vm/qmp.sock',
      '--',
      'kvm1.example',
    ]);
  });

  it('refuses what ssh would read as an option or a second forward', () => {
    for (const bad of [
      'vm=ssh://-oProxyCommand=x/run/q.sock',
      'vm=ssh://host/run/a:b.sock',
      'vm=ssh://host/run/../etc/q.sock',
      'vm=ssh://host/run/a b.sock',
      'vm=ssh://host:0/run/q.sock',
      'vm=ssh://host',
      'vm=ssh://-l@host/q.sock',
    ]) {
      expect(() => parse(['--target', bad]), bad).toThrow(ConfigError);
    }
    expect(() => parse(['--target', 'a=unix:/x', '--ssh-config', 'f'])).toThrow(
      /--ssh-config needs/,
    );
  });
});

describe("ssh's last words", () => {
  it('become a plain state with the line that says why', () => {
    expect(
      classifySshFailure(
        'No ED25519 host key is known for [127.0.0.1]:2222 and you have requested strict checking.\r\nHost key verification failed.\r\n',
        255,
      ),
    ).toBe(
      'host key unknown (ssh: No ED25519 host key is known for [127.0.0.1]:2222 and you have requested strict checking.)',
    );
    expect(classifySshFailure('root@127.0.0.1: Permission denied (publickey).\n', 255)).toMatch(
      /^authentication failed \(ssh: root@127\.0\.0\.1: Permission denied/,
    );
    expect(
      classifySshFailure('ssh: connect to host 127.0.0.1 port 2222: Connection refused\n', 255),
    ).toMatch(/^cannot reach host \(ssh: .*Connection refused\)$/);
    expect(
      classifySshFailure('ssh: Could not resolve hostname nowhere: Name or service not known', 255),
    ).toMatch(/^cannot reach host/);
    expect(classifySshFailure('Connection to 127.0.0.1 closed by remote host.\n', 255)).toMatch(
      /^link lost/,
    );
    expect(classifySshFailure('', null)).toBe('link lost');
    expect(
      classifySshFailure('@@@ WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED! @@@\n', 255),
    ).toMatch(/^host key changed/);
    expect(classifySshFailure('', 1)).toBe('ssh exited with status 1');
  });
});
