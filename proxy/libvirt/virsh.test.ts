import { describe, expect, it } from 'vitest';
import { parseEventLine } from './domain-events.ts';
import { firstErrorLine, parseDiskList, parseDomainList } from './virsh.ts';

describe('reading virsh', () => {
  it('reads running guests, names with spaces included', () => {
    expect(
      parseDomainList(
        '2ff698f8-0b5b-4c5c-a4b5-ac7208b2831f web1\n' +
          '5e0c1d9a-61f2-4d2f-9d3a-8c1a1e0b7a11 my guest\n\nnot a line\n',
      ),
    ).toEqual([
      { uuid: '2ff698f8-0b5b-4c5c-a4b5-ac7208b2831f', name: 'web1' },
      { uuid: '5e0c1d9a-61f2-4d2f-9d3a-8c1a1e0b7a11', name: 'my guest' },
    ]);
  });

  it('reads domblklist --details, keeping a source with spaces and an empty drive', () => {
    expect(
      parseDiskList(
        ' file   disk    vda   /var/lib/libvirt/images/web 1.qcow2\n' +
          ' file   cdrom   sda   -\n' +
          ' network disk   vdb   pool/image\n',
      ),
    ).toEqual([
      {
        type: 'file',
        device: 'disk',
        target: 'vda',
        source: '/var/lib/libvirt/images/web 1.qcow2',
      },
      { type: 'file', device: 'cdrom', target: 'sda', source: '' },
      { type: 'network', device: 'disk', target: 'vdb', source: 'pool/image' },
    ]);
  });

  it('reads event lines and error lines', () => {
    expect(parseEventLine("event 'lifecycle' for domain 'web1': Started Booted")).toEqual({
      type: 'lifecycle',
      domain: 'web1',
      detail: 'Started Booted',
    });
    expect(
      parseEventLine("event 'block-job-2' for domain 'a b': Block Copy for vda ready"),
    ).toEqual({ type: 'block-job-2', domain: 'a b', detail: 'Block Copy for vda ready' });
    expect(parseEventLine('events received: 0')).toBeNull();
    expect(
      firstErrorLine(
        'error: failed to connect to the hypervisor\nerror: Cannot recv data: Connection reset\n',
      ),
    ).toBe('failed to connect to the hypervisor; Cannot recv data: Connection reset');
    expect(firstErrorLine('ssh: connect to host h port 22: Connection refused\n')).toBe(
      'ssh: connect to host h port 22: Connection refused',
    );
  });
});
