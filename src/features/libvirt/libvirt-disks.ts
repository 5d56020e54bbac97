// Which of a libvirt guest's disks (as `virsh domblklist` lists them, told by the proxy) a graph node
// belongs to. libvirt names its nodes libvirt-N-storage/-format, which say nothing of the disk, so
// the join is by file: a disk's source is the file of a protocol node under the device that
// serves it. React-free.
import type { BlockGraphModel, GraphNode } from '../block-graph/model/types.ts';
import type { LibvirtDisk } from '../../api/session.ts';

export interface DiskMatch {
  disk: LibvirtDisk;
  /** The guest device's node in the graph. */
  device: GraphNode;
}

const isPath = (name: string | undefined): name is string =>
  typeof name === 'string' && name.startsWith('/');

/** The file a block node reads: its own for a protocol node, its `file` child's otherwise. */
export function fileOf(node: GraphNode, model: BlockGraphModel): string | undefined {
  if (isPath(node.fileName) && node.kind === 'protocol') return node.fileName;
  const edge = model.edges.find((e) => e.source === node.id && e.role === 'file');
  const child = edge ? model.byId.get(edge.target) : undefined;
  if (child && isPath(child.fileName)) return child.fileName;
  return isPath(node.fileName) ? node.fileName : undefined;
}

/** Each disk (in libvirt's order) with the guest device of the graph that holds its source. */
export function matchDisks(model: BlockGraphModel, disks: LibvirtDisk[]): DiskMatch[] {
  const matches: DiskMatch[] = [];
  for (const disk of disks) {
    if (disk.source === '') continue;
    const file = model.nodes.find((n) => n.kind === 'protocol' && n.fileName === disk.source);
    const device = file?.devices
      .map((id) => model.byId.get(id))
      .find((n): n is GraphNode => n?.kind === 'device');
    if (device) matches.push({ disk, device });
  }
  return matches;
}

/** The disk a node belongs to: its own for a device, its device's for a node below one. */
export function diskOfNode(
  node: GraphNode,
  model: BlockGraphModel,
  disks: LibvirtDisk[],
): DiskMatch | undefined {
  const matches = matchDisks(model, disks);
  if (node.kind === 'device') return matches.find((m) => m.device.id === node.id);
  return matches.find((m) => node.devices.includes(m.device.id));
}

/** The disk's images from the active one down, as the graph's backing edges give them. */
export function chainOf(device: GraphNode, model: BlockGraphModel): GraphNode[] {
  const chain: GraphNode[] = [];
  let edge = model.edges.find((e) => e.source === device.id && e.role === 'root');
  let node = edge ? model.byId.get(edge.target) : undefined;
  // Filters (throttle, a job's mirror_top) sit above the active image; skip down through them.
  while (node && node.kind === 'filter') {
    edge = model.edges.find(
      (e) => e.source === node!.id && (e.role === 'file' || e.role === 'filtered'),
    );
    node = edge ? model.byId.get(edge.target) : undefined;
  }
  const seen = new Set<string>();
  while (node && node.kind === 'format' && !seen.has(node.id)) {
    seen.add(node.id);
    chain.push(node);
    edge = model.edges.find((e) => e.source === node!.id && e.role === 'backing');
    node = edge ? model.byId.get(edge.target) : undefined;
  }
  return chain;
}
