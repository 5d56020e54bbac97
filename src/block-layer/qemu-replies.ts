// What the block layer's QMP reads return (only the members this project uses; QEMU 7.2 shapes,
// see qapi/block-core.json, qapi/block-export.json and qapi/job.json). React-free, below src/api
// (which reads them) and the features (which build models from them).

export type BlockPermission = 'consistent-read' | 'write' | 'write-unchanged' | 'resize';

/** `x-debug-query-block-graph` (unstable: ids are per call and are not identities). */
export interface RawGraph {
  nodes: { id: number; type: 'block-backend' | 'block-job' | 'block-driver'; name: string }[];
  edges: {
    parent: number;
    child: number;
    name: string;
    perm: BlockPermission[];
    'shared-perm': BlockPermission[];
  }[];
}

export interface RawDirtyBitmap {
  name?: string;
  recording?: boolean;
  persistent?: boolean;
  busy?: boolean;
  granularity: number;
  count: number;
}

/** One entry of `query-named-block-nodes {flat:true}` (BlockDeviceInfo). */
export interface RawNamedNode {
  'node-name': string;
  drv: string;
  file: string;
  ro: boolean;
  backing_file?: string;
  encrypted?: boolean;
  detect_zeroes?: string;
  cache?: { writeback: boolean; direct: boolean; 'no-flush': boolean };
  image?: {
    filename?: string;
    format?: string;
    'virtual-size'?: number;
    'actual-size'?: number;
    'backing-filename'?: string;
  };
  'dirty-bitmaps'?: RawDirtyBitmap[];
  bps?: number;
  bps_rd?: number;
  bps_wr?: number;
  iops?: number;
  iops_rd?: number;
  iops_wr?: number;
  group?: string;
  write_threshold?: number;
}

/** One entry of `query-block` (BlockInfo). */
export interface RawBlockInfo {
  device: string;
  qdev?: string;
  type?: string;
  removable?: boolean;
  locked?: boolean;
  'io-status'?: string;
  inserted?: RawNamedNode;
}

/** One entry of `query-jobs` (JobInfo). */
export interface RawJob {
  id: string;
  type: string;
  status: string;
  'current-progress': number;
  'total-progress': number;
  error?: string;
}

/** One entry of `query-block-exports` (BlockExportInfo). */
export interface RawExport {
  id: string;
  type: string;
  'node-name': string;
  'shutting-down': boolean;
}

/** A throttle-group object and its limits (`qom-get /objects/ID limits`). */
export interface RawThrottleGroup {
  id: string;
  limits: Record<string, number>;
}

export interface GraphInputs {
  graph: RawGraph;
  namedNodes?: RawNamedNode[];
  blocks?: RawBlockInfo[];
  jobs?: RawJob[];
  exports?: RawExport[];
  throttleGroups?: RawThrottleGroup[];
}
