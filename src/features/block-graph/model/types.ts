// The block graph's types: what the five QMP reads return (only the members we use; QEMU 7.2
// shapes, see qapi/block-core.json and qapi/block-export.json) and the joined model the view draws.

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

/**
 * device: a BlockBackend attached to a guest device (named by qdev path or drive id);
 * backend: an anonymous BlockBackend that is neither an export nor identified otherwise
 * (a job's target BlockBackend, a block-stream's …);
 * format/protocol/filter: block-driver nodes by driver; job: a block job; export: an export's
 * BlockBackend.
 */
export type NodeKind = 'device' | 'backend' | 'format' | 'protocol' | 'filter' | 'job' | 'export';

export interface ThrottleInfo {
  /** `filter` for a throttle node, `filtered` for the node under one, `legacy` for block_set_io_throttle. */
  how: 'filter' | 'filtered' | 'legacy';
  group?: string;
  limits: Record<string, number>;
}

export interface GraphNode {
  /** Stable across refreshes: `drv:NAME`, `blk:QDEV`, `job:ID`, `export:ID`, `anon:…`. */
  id: string;
  kind: NodeKind;
  /** The node-name, qdev path, job id or export id; '' for an unidentified anonymous backend. */
  name: string;
  /** What to show as the title (never HTML). */
  label: string;
  driver?: string;
  fileName?: string;
  format?: string;
  virtualSize?: number;
  actualSize?: number;
  readOnly?: boolean;
  cacheMode?: string;
  /** Number of images below this one along `backing` edges (filters report their child's). */
  backingDepth: number;
  backingFile?: string;
  dirtyBitmaps: RawDirtyBitmap[];
  /** Ids (model ids) of device nodes whose subtree contains this node. */
  devices: string[];
  /** Ids of the jobs with an edge to this node (or the job itself). */
  jobs: string[];
  /** Export ids that serve this node (or the export itself). */
  exports: string[];
  throttle?: ThrottleInfo;
  job?: RawJob;
  export?: RawExport;
  raw: {
    graph?: RawGraph['nodes'][number];
    namedNode?: RawNamedNode;
    block?: RawBlockInfo;
    job?: RawJob;
    export?: RawExport;
    throttleGroup?: RawThrottleGroup;
  };
}

export interface GraphEdge {
  /** Stable: `PARENT->CHILD:ROLE` over model ids. */
  id: string;
  source: string;
  target: string;
  role: string;
  perm: BlockPermission[];
  shared: BlockPermission[];
  /** Permissions this edge takes that another parent of the same child does not share. */
  conflicts: BlockPermission[];
}

export interface BlockGraphModel {
  nodes: GraphNode[];
  edges: GraphEdge[];
  byId: ReadonlyMap<string, GraphNode>;
  /** Changes exactly when nodes or edges (not their details) change: the re-layout trigger. */
  topologyKey: string;
}
