// Reads of a target's jobs, and how QMP events keep them current.
// query-jobs + query-block-jobs are read on mount and after every reconnect (the shell
// invalidates everything under targetKey); while jobs exist the proxy pushes the same pair as
// the X_BLOCKSCOPE_JOBS event about once a second and after every JOB_STATUS_CHANGE, written
// straight into this cache. JOB_STATUS_CHANGE patches the one status it carries (so the DOM
// shows it at once); the proxy's push that follows replaces the patch.
import { queryOptions, type QueryClient } from '@tanstack/react-query';
import type { QmpClient } from '../qmp/client.ts';
import { ProxyEvent, type QmpEvent } from '../qmp/wire.ts';
import type { RawJob } from '../block-layer/qemu-replies.ts';
import { targetKey } from './query-keys.ts';

/** One entry of `query-jobs` (JobInfo). */
export type QemuJobInfo = RawJob;

/** One entry of `query-block-jobs` (BlockJobInfo; a union on `type` from QEMU 8.2). */
export interface QemuBlockJobInfo {
  device: string;
  type: string;
  status: string;
  offset: number;
  len: number;
  speed: number;
  busy: boolean;
  paused: boolean;
  ready: boolean;
  'io-status': string;
  'auto-finalize'?: boolean;
  'auto-dismiss'?: boolean;
  'actively-synced'?: boolean;
  error?: string;
}

/** What the proxy's X_BLOCKSCOPE_JOBS event and a fresh read both deliver. */
export interface JobsSnapshot {
  jobs: QemuJobInfo[];
  'block-jobs': QemuBlockJobInfo[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Accepts the event payload or read result only if it has the expected shape. */
export function parseJobsSnapshot(value: unknown): JobsSnapshot | null {
  if (!isRecord(value)) return null;
  const jobs = value.jobs;
  const blockJobs = value['block-jobs'];
  if (!Array.isArray(jobs) || !Array.isArray(blockJobs)) return null;
  return {
    jobs: jobs.filter(
      (j): j is QemuJobInfo =>
        isRecord(j) && typeof j.id === 'string' && typeof j.status === 'string',
    ),
    'block-jobs': blockJobs.filter(
      (j): j is QemuBlockJobInfo => isRecord(j) && typeof j.device === 'string',
    ),
  };
}

/** The cached value: QEMU's answer plus when and how it arrived. */
export interface JobsData {
  snapshot: JobsSnapshot;
  /** Browser time (ms) the answer arrived: the time of its progress sample. */
  receivedAt: number;
  /** `read`: our own query; `proxy`: the proxy's shared poll; `event`: patched from an event. */
  source: 'read' | 'proxy' | 'event';
}

export function jobsKey(target: string) {
  return [...targetKey(target), 'jobs'] as const;
}

export function jobsOptions(client: QmpClient, target: string) {
  return queryOptions({
    queryKey: [...jobsKey(target), 'list'] as const,
    queryFn: async (): Promise<JobsData> => {
      const [jobs, blockJobs] = await Promise.all([
        client.execute<QemuJobInfo[]>('query-jobs'),
        client.execute<QemuBlockJobInfo[]>('query-block-jobs'),
      ]);
      return {
        snapshot: { jobs, 'block-jobs': blockJobs },
        receivedAt: Date.now(),
        source: 'read',
      };
    },
    // The proxy's shared poller pushes the list about once a second while jobs exist, and it
    // never gives up while connected (it retries with backoff), so a tab reads again only while
    // no push has come since its own read: a page per tab would otherwise multiply QEMU's load.
    refetchInterval: (query) => {
      const data = query.state.data;
      if (!data || data.snapshot.jobs.length + data.snapshot['block-jobs'].length === 0) {
        return false;
      }
      return data.source === 'read' ? 1_000 : false;
    },
  });
}

/** The job-control commands this QEMU has (names starting with job- or block-job-). */
export function jobCommandsOptions(client: QmpClient, target: string) {
  return queryOptions({
    queryKey: [...jobsKey(target), 'commands'] as const,
    queryFn: async (): Promise<string[]> => {
      const schema =
        await client.execute<{ name: string; 'meta-type': string }[]>('query-qmp-schema');
      return schema
        .filter(
          (e) =>
            e['meta-type'] === 'command' &&
            (e.name.startsWith('job-') ||
              e.name.startsWith('block-job-') ||
              e.name === 'x-debug-query-block-graph'),
        )
        .map((e) => e.name)
        .sort();
    },
  });
}

/** What one creation job makes, as the proxy saw it in the blockdev-create (qapi BlockdevCreateOptions). */
export interface CreateTarget {
  driver: string;
  /** Protocol drivers (`file`): the file created. */
  filename?: string;
  /** Format drivers (`qcow2`, …): the node whose file is formatted. */
  node?: string;
  size?: number;
}

export function createTargetsKey(target: string) {
  return [...jobsKey(target), 'creates'] as const;
}

/**
 * Job id → what it creates. QEMU cannot be asked (query-jobs has only id and type), so nothing is
 * read: the proxy's X_BLOCKSCOPE_JOBS event carries `creates` and applyJobsEvent writes it here.
 * Empty until then, and for creation jobs the proxy did not see (another monitor).
 */
export function createTargetsOptions(target: string) {
  return queryOptions({
    queryKey: createTargetsKey(target),
    queryFn: (): Record<string, CreateTarget> => ({}),
    staleTime: Infinity,
  });
}

function parseCreates(value: unknown): Record<string, CreateTarget> {
  const out: Record<string, CreateTarget> = {};
  if (!isRecord(value)) return out;
  for (const [id, entry] of Object.entries(value)) {
    if (!isRecord(entry) || typeof entry.driver !== 'string') continue;
    out[id] = {
      driver: entry.driver,
      filename: typeof entry.filename === 'string' ? entry.filename : undefined,
      node: typeof entry.node === 'string' ? entry.node : undefined,
      size: typeof entry.size === 'number' ? entry.size : undefined,
    };
  }
  return out;
}

/** Replaces one job's status from a JOB_STATUS_CHANGE ahead of the re-read that confirms it. */
export function withStatus(snapshot: JobsSnapshot, id: string, status: string): JobsSnapshot {
  if (status === 'null') {
    return {
      jobs: snapshot.jobs.filter((j) => j.id !== id),
      'block-jobs': snapshot['block-jobs'].filter((b) => b.device !== id),
    };
  }
  const known = snapshot.jobs.some((j) => j.id === id);
  const jobs = known
    ? snapshot.jobs.map((j) => (j.id === id ? { ...j, status } : j))
    : [
        ...snapshot.jobs,
        // A job seen first through its event (events can precede the command's reply);
        // the re-read fills in type and progress.
        { id, type: 'job', status, 'current-progress': 0, 'total-progress': 0 },
      ];
  return {
    jobs,
    'block-jobs': snapshot['block-jobs'].map((b) =>
      b.device === id ? { ...b, status, paused: status === 'paused' || status === 'standby' } : b,
    ),
  };
}

/** Progress a block-job event reports (`device` is the job id); QEMU's numbers at that moment. */
export function withProgress(
  snapshot: JobsSnapshot,
  id: string,
  offset: number,
  len: number,
): JobsSnapshot {
  return {
    jobs: snapshot.jobs.map((j) =>
      j.id === id ? { ...j, 'current-progress': offset, 'total-progress': len } : j,
    ),
    'block-jobs': snapshot['block-jobs'].map((b) => (b.device === id ? { ...b, offset, len } : b)),
  };
}

const PROGRESS_EVENTS = new Set(['BLOCK_JOB_READY', 'BLOCK_JOB_COMPLETED', 'BLOCK_JOB_CANCELLED']);

/**
 * Applies one QMP event to the jobs cache. Exported for the benchmark that measures
 * "job event at the proxy → Jobs panel shows it". Returns true when the event concerned jobs.
 */
export function applyJobsEvent(queryClient: QueryClient, target: string, event: QmpEvent): boolean {
  const key = [...jobsKey(target), 'list'] as const;
  if (event.event === ProxyEvent.Jobs) {
    const snapshot = parseJobsSnapshot(event.data);
    if (!snapshot) return false;
    queryClient.setQueryData<JobsData>(key, { snapshot, receivedAt: Date.now(), source: 'proxy' });
    queryClient.setQueryData(createTargetsKey(target), parseCreates(event.data?.creates));
    return true;
  }
  if (event.event === ProxyEvent.TargetState) {
    // The proxy reconnected to QEMU (perhaps a restarted one, perhaps another version) while
    // this page stayed connected: events from the gap are lost, so read everything again.
    if (event.data?.state !== 'connected') return false;
    void queryClient.invalidateQueries({ queryKey: jobsKey(target) });
    return true;
  }
  if (event.event === 'JOB_STATUS_CHANGE') {
    const id = event.data?.id;
    const status = event.data?.status;
    if (typeof id !== 'string' || typeof status !== 'string') return false;
    queryClient.setQueryData<JobsData>(key, (old) => ({
      snapshot: withStatus(old?.snapshot ?? { jobs: [], 'block-jobs': [] }, id, status),
      receivedAt: Date.now(),
      source: 'event',
    }));
    // No re-read: the proxy kicks its shared poller at every JOB_STATUS_CHANGE and pushes the
    // whole list (X_BLOCKSCOPE_JOBS), once more when the last job is gone; the graph's re-read
    // is block-graph-queries.ts's (once per change of topology).
    return true;
  }
  if (PROGRESS_EVENTS.has(event.event)) {
    // READY follows its JOB_STATUS_CHANGE at once; without this the bar would show the last
    // poll's figure beside "ready" until the next poll.
    const { device, offset, len } = event.data ?? {};
    if (typeof device !== 'string' || typeof offset !== 'number' || typeof len !== 'number') {
      return false;
    }
    queryClient.setQueryData<JobsData>(key, (old) =>
      old ? { ...old, snapshot: withProgress(old.snapshot, device, offset, len) } : old,
    );
    return true;
  }
  return false;
}
