import { describe, expect, it } from 'vitest';
import { buildBlockGraphModel } from '../block-graph/model/build-model.ts';
import { loadJson } from '../block-graph/model/fixtures.ts';
import type { GraphInputs } from '../block-graph/model/types.ts';
import type { LibvirtDisk } from '../../api/session.ts';
import { chainOf, diskOfNode, fileOf, matchDisks } from './libvirt-disks.ts';
import { beside, shellWord, virshLine, virshPlan } from './virsh-commands.ts';
import { diskOfLibvirtJob, virshJobSteps } from './virsh-job-steps.ts';

// A libvirt guest captured by test/fixtures/graph/write-libvirt-fixture.ts: vda on
// base ← mid ← top, vdb on one image, every node named by libvirt.
const capture = loadJson<GraphInputs & { disks: LibvirtDisk[] }>('live-libvirt.json');
const model = buildBlockGraphModel(capture);
const IMAGES = '/var/lib/libvirt/images';
const URI = 'qemu:///system';

describe('libvirt disks in the graph', () => {
  it('joins each guest device to the disk whose source it holds', () => {
    const matches = matchDisks(model, capture.disks);
    expect(matches.map((m) => [m.disk.target, m.device.label])).toEqual([
      ['vda', 'virtio-disk0'],
      ['vdb', 'virtio-disk1'],
    ]);
    const mid = model.nodes.find(
      (n) => n.kind === 'protocol' && n.fileName === `${IMAGES}/mid.qcow2`,
    )!;
    expect(diskOfNode(mid, model, capture.disks)?.disk.target).toBe('vda');
    // a disk list that names other files matches nothing
    expect(matchDisks(model, [{ ...capture.disks[0]!, source: '/elsewhere.qcow2' }])).toEqual([]);
  });

  it('walks the chain from the active image down, with the file each one reads', () => {
    const vda = matchDisks(model, capture.disks)[0]!.device;
    const chain = chainOf(vda, model);
    expect(chain.map((n) => n.name)).toEqual([
      'libvirt-2-format',
      'libvirt-3-format',
      'libvirt-4-format',
    ]);
    expect(chain.map((n) => fileOf(n, model))).toEqual([
      `${IMAGES}/top.qcow2`,
      `${IMAGES}/mid.qcow2`,
      `${IMAGES}/base.qcow2`,
    ]);
  });
});

describe('virsh command lines', () => {
  const [vda, vdb] = capture.disks as [LibvirtDisk, LibvirtDisk];
  const ctx = { uri: URI, domain: 'web1', disk: vda, disks: capture.disks };

  it('quotes what a shell would split or expand, and nothing else', () => {
    expect(shellWord('/var/lib/libvirt/images/top.qcow2')).toBe(
      '/var/lib/libvirt/images/top.qcow2',
    );
    expect(shellWord("it's $HOME; rm -rf /")).toBe("'it'\\''s $HOME; rm -rf /'");
    expect(virshLine('qemu+ssh://root@h/system?socket=/s&no_tty=1', ['list'])).toBe(
      "virsh -c 'qemu+ssh://root@h/system?socket=/s&no_tty=1' list",
    );
    expect(beside('/img/top.qcow2', 'copy')).toBe('/img/top-copy.qcow2');
  });

  it('offers blockcopy with the disk target and a copy beside its source', () => {
    const plan = virshPlan('mirror', ctx);
    expect(plan.steps.map((s) => s.text)).toEqual([
      `virsh -c qemu:///system blockcopy web1 vda ${IMAGES}/top-copy.qcow2 --format qcow2 --transient-job --verbose --wait`,
      'virsh -c qemu:///system blockjob web1 vda --pivot',
    ]);
  });

  it('offers the other operations libvirt’s way', () => {
    const texts = (kind: Parameters<typeof virshPlan>[0], extra = {}) =>
      virshPlan(kind, { ...ctx, ...extra }).steps.map((s) => s.text);
    expect(texts('commit')[0]).toBe(
      'virsh -c qemu:///system blockcommit web1 vda --active --verbose --wait --pivot',
    );
    expect(texts('commit', { image: `${IMAGES}/mid.qcow2` })).toEqual([
      `virsh -c qemu:///system blockcommit web1 vda --top ${IMAGES}/mid.qcow2 --verbose --wait`,
    ]);
    expect(texts('backup')[0]).toContain(`<target file='${IMAGES}/top-backup.qcow2'/>`);
    expect(texts('backup')[1]).toBe(
      'virsh -c qemu:///system backup-begin web1 web1-vda-backup.xml',
    );
    expect(virshPlan('backup', ctx).notes.join(' ')).toMatch(/domfsfreeze web1/);
    expect(texts('export')[0]).toContain("<domainbackup mode='pull'>");
    expect(texts('export')[0]).toContain("<server name='localhost' port='10809'/>");
    expect(virshPlan('export', ctx).notes[0]).toContain('nbd://localhost:10809/vda');
    expect(texts('throttle')[0]).toBe(
      'virsh -c qemu:///system blkdeviotune web1 vda --total-bytes-sec 10485760 --live',
    );
    expect(texts('snapshot')[0]).toBe(
      `virsh -c qemu:///system snapshot-create-as web1 --disk-only --atomic --diskspec vda,file=${IMAGES}/top-snap.qcow2 --diskspec vdb,snapshot=no`,
    );
    expect(texts('throttle', { disk: vdb })[0]).toContain(' vdb ');
  });

  it('escapes a hostile path in the XML it writes and keeps the here-document closed', () => {
    const hostile = { ...vda, source: "/img/x'/><evil/>\nEOF\nrm -rf ~.qcow2" };
    const text = virshPlan('backup', { ...ctx, disk: hostile }).steps[0]!.text;
    expect(text).toContain('&apos;/&gt;&lt;evil/&gt;');
    expect(text.split('\n').filter((line) => line === 'EOF')).toHaveLength(2);
  });

  it('names a libvirt job’s disk and offers the controls its state allows', () => {
    expect(diskOfLibvirtJob('copy-vda-libvirt-1-format')).toBe('vda');
    expect(diskOfLibvirtJob('commit-sdb-libvirt-4-format')).toBe('sdb');
    expect(diskOfLibvirtJob('create-libvirt-3-format')).toBeNull();
    expect(diskOfLibvirtJob('mirror0')).toBeNull();
    const ready = virshJobSteps(URI, 'web1', {
      id: 'copy-vda-libvirt-1-format',
      type: 'mirror',
      status: 'ready',
    });
    expect(ready.map((s) => s.text)).toEqual([
      'virsh -c qemu:///system blockjob web1 vda --pivot',
      'virsh -c qemu:///system blockjob web1 vda --abort',
      'virsh -c qemu:///system blockjob web1 vda --bandwidth 10',
    ]);
    const running = virshJobSteps(URI, 'web1', {
      id: 'pull-vdb-libvirt-2-format',
      type: 'stream',
      status: 'running',
    });
    expect(running.map((s) => s.text)[0]).toBe('virsh -c qemu:///system blockjob web1 vdb --abort');
    expect(
      virshJobSteps(URI, 'web1', {
        id: 'backup-vda-libvirt-5-format',
        type: 'backup',
        status: 'running',
      })[0]!.text,
    ).toBe('virsh -c qemu:///system domjobabort web1');
    expect(virshJobSteps(URI, 'web1', { id: 'mine', type: 'mirror', status: 'running' })).toEqual(
      [],
    );
  });
});
