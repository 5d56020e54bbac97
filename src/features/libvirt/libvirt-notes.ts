// The notes the graph shows on a libvirt guest: beside each guest device, libvirt's name for the
// disk (vda) and its source, as `virsh domblklist` lists them (node-notes.ts).
import type { NodeNote, NodeNotes } from '../block-graph/node-notes.ts';
import type { LibvirtDisk } from '../../api/session.ts';
import { matchDisks } from './libvirt-disks.ts';

export function libvirtNodeNotes(disks: LibvirtDisk[]): NodeNotes {
  return (model) => {
    const notes = new Map<string, NodeNote>();
    for (const { disk, device } of matchDisks(model, disks)) {
      notes.set(device.id, {
        badge: disk.target,
        title: `libvirt disk ${disk.target}: ${disk.source}`,
        rows: [
          { name: 'libvirt disk', value: `${disk.target} (${disk.device}, ${disk.type})` },
          { name: 'Source', value: disk.source },
        ],
      });
    }
    return notes;
  };
}
