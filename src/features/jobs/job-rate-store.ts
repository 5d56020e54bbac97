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

const stores = new Map<string, JobRateStore>();

/** The sample store of one target (kept for the life of the page). */
export function rateStoreFor(target: string): JobRateStore {
  let store = stores.get(target);
  if (!store) {
    store = new JobRateStore();
    stores.set(target, store);
  }
  return store;
}
