// QEMU's two views of its jobs, joined into one row per job (qmp-domain.md §4.4).
// query-jobs lists every job (including `create`/`amend`); query-block-jobs adds speed, pause
// and io-status for block jobs only, keyed by `device` (which is the job id). Neither is
// re-interpreted here beyond joining: QEMU's answer is the truth.
import type { JobsSnapshot } from '../../api/jobs-queries.ts';

export interface JobRow {
  id: string;
  type: string;
  status: string;
  current: number;
  total: number;
  /** The configured limit in bytes/s (0 = unlimited); undefined for non-block jobs. */
  speed: number | undefined;
  isBlockJob: boolean;
  paused: boolean;
  ioStatus: string | undefined;
  autoFinalize: boolean | undefined;
  autoDismiss: boolean | undefined;
  /** 8.2+ mirrors only: writes go to both sides synchronously. */
  activelySynced: boolean | undefined;
  error: string | undefined;
}

/** One row per job, in QEMU's order; block jobs missing from query-jobs are still listed. */
export function joinJobs(snapshot: JobsSnapshot): JobRow[] {
  const block = new Map(snapshot['block-jobs'].map((b) => [b.device, b]));
  const rows: JobRow[] = snapshot.jobs.map((job) => {
    const b = block.get(job.id);
    block.delete(job.id);
    return {
      id: job.id,
      type: job.type,
      status: job.status,
      current: job['current-progress'] ?? b?.offset ?? 0,
      total: job['total-progress'] ?? b?.len ?? 0,
      speed: b?.speed,
      isBlockJob: b !== undefined,
      paused: b?.paused ?? job.status === 'paused',
      ioStatus: b?.['io-status'],
      autoFinalize: b?.['auto-finalize'],
      autoDismiss: b?.['auto-dismiss'],
      activelySynced: b?.['actively-synced'],
      error: job.error ?? b?.error,
    };
  });
  for (const b of block.values()) {
    rows.push({
      id: b.device,
      type: b.type,
      status: b.status,
      current: b.offset,
      total: b.len,
      speed: b.speed,
      isBlockJob: true,
      paused: b.paused,
      ioStatus: b['io-status'],
      autoFinalize: b['auto-finalize'],
      autoDismiss: b['auto-dismiss'],
      activelySynced: b['actively-synced'],
      error: b.error,
    });
  }
  return rows;
}
