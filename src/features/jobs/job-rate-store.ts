// Progress samples per job, kept outside React state: they are measurements taken on arrival of
// each jobs snapshot, not job state (that stays in the query cache, read from QEMU).
import { addSample, type ProgressSample } from './job-rate.ts';
import type { JobRow } from './job-model.ts';

export class JobRateStore {
  private readonly samples = new Map<string, ProgressSample[]>();

  /** Records one sample per listed job and forgets jobs QEMU no longer lists. */
  record(rows: readonly JobRow[], now: number): void {
    const seen = new Set<string>();
    for (const row of rows) {
      seen.add(row.id);
      const previous = this.samples.get(row.id) ?? [];
      this.samples.set(
        row.id,
        addSample(previous, { t: now, current: row.current, total: row.total }),
      );
    }
    for (const id of this.samples.keys()) if (!seen.has(id)) this.samples.delete(id);
  }

  get(id: string): readonly ProgressSample[] {
    return this.samples.get(id) ?? [];
  }
}

// Beside the query cache on purpose: samples are this page's measurements of the arriving
// snapshots (time of arrival included), not state QEMU could be asked for again.
// One store per target this page has shown, the MAX_TARGETS used last (a proxy may serve many
// libvirt guests): the one unused longest is dropped.
const MAX_TARGETS = 32;
const stores = new Map<string, JobRateStore>();

/** The sample store of one target (kept for the life of the page). */
export function rateStoreFor(target: string): JobRateStore {
  const store = stores.get(target) ?? new JobRateStore();
  // Re-inserted: the Map's order is the order of last use.
  stores.delete(target);
  stores.set(target, store);
  if (stores.size > MAX_TARGETS) stores.delete(stores.keys().next().value!);
  return store;
}
