// The live state a plan is built from, read from QEMU just before planning. Plans never guess:
// every name, size and parent they use comes from these replies.
import type { RawJob } from '../../../block-layer/qemu-replies.ts';
import { readThrottleGroups } from '../../../api/block-graph-queries.ts';
import type { BackupRecord } from '../../../qmp/backup-records.ts';
import type { JsonObject, JsonValue } from '../../../qmp/wire.ts';

/** Anything that can run a QMP command: the browser QmpClient, a test's direct socket. */
export interface QmpExecutor {
  execute(command: string, args?: JsonObject): Promise<unknown>;
}

export interface DirtyBitmap {
  name: string;
  recording: boolean;
  persistent: boolean;
  busy: boolean;
  granularity: number;
  count: number;
}

/** One entry of `query-named-block-nodes {flat: true}` (the members plans use). */
export interface NamedNode {
  'node-name': string;
  drv: string;
  file: string;
  ro: boolean;
  image: { 'virtual-size': number; format?: string; filename?: string };
  'dirty-bitmaps'?: DirtyBitmap[];
  backing_file?: string;
}

export interface GraphNode {
  id: number;
  type: 'block-backend' | 'block-job' | 'block-driver';
  name: string;
}

export interface GraphEdge {
  parent: number;
  child: number;
  name: string;
  perm: string[];
  'shared-perm': string[];
}

/** `x-debug-query-block-graph` (unstable, present on 7.2 system and QSD). */
export interface BlockGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/** One `query-block` entry; throttle values sit in `inserted` (legacy BlockBackend throttling). */
export interface BlockInfo {
  device: string;
  qdev?: string;
  inserted?: { 'node-name': string; group?: string } & Record<string, JsonValue | undefined>;
}

/** One entry of `query-jobs` (JobInfo). */
export type JobInfo = RawJob;

export interface ExportInfo {
  id: string;
  type: string;
  'node-name': string;
  'shutting-down': boolean;
}

// The NBD server is the proxy's record (X_BLOCKSCOPE_NBD_SERVER), not read from QEMU.
import type { NbdServerState } from '../../../qmp/nbd-server.ts';
export type { NbdAddress, NbdServerState } from '../../../qmp/nbd-server.ts';

export interface ThrottleGroupInfo {
  id: string;
  limits: Record<string, number>;
}

export interface LiveState {
  nodes: NamedNode[];
  graph: BlockGraph;
  blocks: BlockInfo[];
  jobs: JobInfo[];
  exports: ExportInfo[];
  throttleGroups: ThrottleGroupInfo[];
  nbdServer: NbdServerState;
  /** Command names from `query-commands`, for features that differ between QEMU versions. */
  commands: Set<string>;
  /**
   * The proxy's backup ledger (X_BLOCKSCOPE_BACKUPS, src/api/backup-ledger-queries.ts): which
   * full backup each bitmap counts from. Absent when no ledger came (a proxy without one).
   */
  backups?: BackupRecord[];
}

/** The same read as the graph's (src/api), which tolerates qemu-storage-daemon's missing /objects. */
function throttleGroups(client: QmpExecutor): Promise<ThrottleGroupInfo[]> {
  return readThrottleGroups(
    <T>(command: string, args?: JsonObject) => client.execute(command, args) as Promise<T>,
  );
}

/** Reads everything a plan may need, in parallel. */
export async function readLiveState(
  client: QmpExecutor,
  nbdServer: NbdServerState = { state: 'unknown' },
): Promise<LiveState> {
  const [nodes, graph, blocks, jobs, exports, groups, commands] = await Promise.all([
    client.execute('query-named-block-nodes', { flat: true }) as Promise<NamedNode[]>,
    client.execute('x-debug-query-block-graph') as Promise<BlockGraph>,
    client.execute('query-block') as Promise<BlockInfo[]>,
    client.execute('query-jobs') as Promise<JobInfo[]>,
    client.execute('query-block-exports') as Promise<ExportInfo[]>,
    throttleGroups(client),
    client.execute('query-commands') as Promise<{ name: string }[]>,
  ]);
  return {
    nodes,
    graph,
    blocks,
    jobs,
    exports,
    throttleGroups: groups,
    nbdServer,
    commands: new Set(commands.map((c) => c.name)),
  };
}
