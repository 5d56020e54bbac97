// QEMU 7.2 aborts (block/qcow2.c qcow2_get_specific_info: Assertion `false' failed) when a read
// that reports image details — query-named-block-nodes, query-block — runs while a qcow2
// blockdev-create job is still running: the half-made image is a node without a version yet.
// Reproduced with 30 reads beside one create, about 1 round in 8; the page's own graph read after
// a create hits it. So while a blockdev-create job sent through the proxy runs, those reads wait
// for it to end (JOB_STATUS_CHANGE), from any session. Commands are answered in order by QEMU,
// so a read sent after the create is one that could meet the running job.
import type { JsonObject, QmpEvent } from '../src/qmp/wire.ts';

const IMAGE_INFO_READS = new Set(['query-named-block-nodes', 'query-block']);
const ENDED = new Set(['concluded', 'aborted', 'null', 'pending', 'waiting']);
/** A job QEMU never reports back about must not hold reads forever. */
const MAX_HOLD_MS = 60_000;

export class CreateGuard {
  private readonly running = new Map<string, ReturnType<typeof setTimeout>>();
  private waiters: (() => void)[] = [];

  /** Resolves when `command` may be sent. */
  before(command: string, args: JsonObject | undefined): Promise<void> | null {
    if (command === 'blockdev-create' && typeof args?.['job-id'] === 'string') {
      const id = args['job-id'];
      this.running.set(
        id,
        setTimeout(() => this.end(id), MAX_HOLD_MS),
      );
      return null;
    }
    if (!IMAGE_INFO_READS.has(command) || this.running.size === 0) return null;
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** A blockdev-create QEMU refused started no job. */
  refused(command: string, args: JsonObject | undefined): void {
    if (command === 'blockdev-create' && typeof args?.['job-id'] === 'string') {
      this.end(args['job-id']);
    }
  }

  event(event: QmpEvent): void {
    if (event.event !== 'JOB_STATUS_CHANGE') return;
    const { id, status } = event.data as { id?: unknown; status?: unknown };
    if (typeof id === 'string' && ENDED.has(String(status))) this.end(id);
  }

  /** The connection is gone: nothing runs any more that this guard knows of. */
  reset(): void {
    for (const id of [...this.running.keys()]) this.end(id);
  }

  private end(id: string): void {
    const timer = this.running.get(id);
    if (timer === undefined) return;
    clearTimeout(timer);
    this.running.delete(id);
    if (this.running.size > 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}
