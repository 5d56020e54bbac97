// The block graph's types: the joined model the view draws, and (from src/block-layer) what the
// QMP reads it is built from return.

import type {
  BlockPermission,
  RawGraph,
  RawDirtyBitmap,
  RawNamedNode,
  RawBlockInfo,
  RawJob,
  RawExport,
  RawThrottleGroup,
  GraphInputs,
} from '../../../block-layer/qemu-replies.ts';

export type {
  BlockPermission,
  RawGraph,
  RawDirtyBitmap,
  RawNamedNode,
  RawBlockInfo,
  RawJob,
  RawExport,
  RawThrottleGroup,
  GraphInputs,
};

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
