import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config.ts';
import { parseLibvirtUris, targetNameOf } from './libvirt-uris.ts';

describe('--libvirt URIs and the names of their guests', () => {
  it('names the first URI’s guests after the domain and later ones DOMAIN@HOST', () => {
    const [local, remote] = parseLibvirtUris(['qemu:///system', 'qemu+ssh://root@db1:2222/system']);
    const none = () => false;
    expect(targetNameOf(local!, 'web1', none)).toBe('web1');
    expect(targetNameOf(remote!, 'web1', none)).toBe('web1@db1');
    // a --target of the same name keeps it; the guest is named after its host
    expect(targetNameOf(local!, 'web1', (n) => n === 'web1')).toBe('web1@localhost');
    // names a URL path or a log line should not carry are not targets
    expect(targetNameOf(local!, 'my vm', none)).toBeNull();
    expect(targetNameOf(local!, 'a/b', none)).toBeNull();
    expect(targetNameOf(local!, '100', none)).toBe('100');
  });

  it('keeps ssh transports from prompting, and leaves other URIs as given', () => {
    const [ssh, withQuery, local, already] = parseLibvirtUris([
      'qemu+ssh://root@h1/system',
      'qemu+ssh://root@h2/system?keyfile=/k',
      'qemu:///system',
      'qemu+ssh://root@h3/system?no_tty=0',
    ]);
    expect(ssh!.clientUri).toBe('qemu+ssh://root@h1/system?no_tty=1');
    expect(withQuery!.clientUri).toBe('qemu+ssh://root@h2/system?keyfile=/k&no_tty=1');
    expect(local!.clientUri).toBe('qemu:///system');
    expect(already!.clientUri).toBe('qemu+ssh://root@h3/system?no_tty=0');
    expect(ssh!.uri).toBe('qemu+ssh://root@h1/system');
  });

  it('refuses other drivers, repeats and later URIs that would name guests alike', () => {
    expect(() => parseLibvirtUris(['xen:///system'])).toThrow(ConfigError);
    expect(() => parseLibvirtUris(['lxc:///'])).toThrow(/QEMU driver/);
    expect(() => parseLibvirtUris(['qemu:///system', 'qemu:///system'])).toThrow(/given twice/);
    expect(() =>
      parseLibvirtUris(['qemu:///system', 'qemu+ssh://a@h/system', 'qemu+tcp://h/system']),
    ).toThrow(/DOMAIN@h/);
    expect(parseLibvirtUris(['qemu:///system', 'qemu:///session'])[1]!.label).toBe('localhost');
  });
});
