// What each blockdev-create job sent through the proxy creates. query-jobs names a creation job
// only by id and type (qapi/job.json JobInfo) and the graph has no node for it, so the proxy,
// which saw the command, tells every session: X_BLOCKSCOPE_JOBS carries `creates` beside QEMU's
// lists. A creation job started on another monitor is not known and gets no entry.
import type { JsonObject, JsonValue, QmpEvent } from '../src/qmp/wire.ts';

/** The members of BlockdevCreateOptions (qapi/block-core.json) that say what is made. */
function describe(options: JsonValue | undefined): JsonObject | null {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) return null;
  const { driver, filename, file, size } = options;
  if (typeof driver !== 'string') return null;
  const target: JsonObject = { driver };
  // Protocol drivers name a file; format drivers the node (by name) whose file they format.
  if (typeof filename === 'string') target.filename = filename;
  if (typeof file === 'string') target.node = file;
  if (typeof size === 'number') target.size = size;
  return target;
}

export class CreateTargets {
  /** Each entry remembers the arguments it came from, so only their own refusal removes it. */
  private readonly byJob = new Map<string, { target: JsonObject; args: JsonObject }>();

  /** A blockdev-create is being sent (its job's events may come before the reply). */
  sent(command: string, args: JsonObject | undefined): void {
    if (command !== 'blockdev-create' || typeof args?.['job-id'] !== 'string') return;
    // A job with this id still exists: QEMU will refuse the new one ("already in use").
    if (this.byJob.has(args['job-id'])) return;
    const target = describe(args.options);
    if (target) this.byJob.set(args['job-id'], { target, args });
  }

  /** QEMU refused the command: no job was started. */
  refused(command: string, args: JsonObject | undefined): void {
    const id = args?.['job-id'];
    if (command !== 'blockdev-create' || typeof id !== 'string') return;
    if (this.byJob.get(id)?.args === args) this.byJob.delete(id);
  }

  event(event: QmpEvent): void {
    if (event.event !== 'JOB_STATUS_CHANGE' || event.data?.status !== 'null') return;
    const id = event.data.id;
    if (typeof id === 'string') this.byJob.delete(id);
  }

  /** The connection is gone, and the jobs with it. */
  reset(): void {
    this.byJob.clear();
  }

  /** Job id → what it creates, for the creation jobs in a query-jobs answer. */
  forJobs(jobs: JsonValue | undefined): JsonObject {
    const out: JsonObject = {};
    if (!Array.isArray(jobs)) return out;
    for (const job of jobs) {
      if (typeof job !== 'object' || job === null || Array.isArray(job)) continue;
      const id = job.id;
      const entry = typeof id === 'string' ? this.byJob.get(id) : undefined;
      if (typeof id === 'string' && entry) out[id] = entry.target;
    }
    return out;
  }
}
