// One `query-jobs` + `query-block-jobs` poller per target, shared by all of its sessions.
// QEMU emits no progress events, so progress is polled: about once a second while any job exists,
// at once after each JOB_STATUS_CHANGE and after every (re)connect, and not at all when there are
// no jobs. The number of sessions never changes how often QEMU is asked. A failed poll while
// connected (a timeout, a full queue) is retried with doubling delays up to 30 s, never given up:
// the multiplexer stops the poller when the connection drops and kicks it after a reconnect.
import type { JsonObject, JsonValue } from '../src/qmp/wire.ts';
import type { CommandResult } from './command-queue.ts';

export interface JobPollerOptions {
  run: (command: string) => Promise<CommandResult>;
  /** Receives { jobs, 'block-jobs' } while jobs exist, and once more when the last one is gone. */
  publish: (data: JsonObject) => void;
  intervalMs?: number;
}

const MAX_RETRY_MS = 30_000;

export class JobPoller {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running = false;
  private again = false;
  private stopped = false;
  private hadJobs = false;
  private failures = 0;
  /** The latest data published, for sessions that join while jobs run. */
  latest: JsonObject | null = null;
  polls = 0;

  constructor(private readonly options: JobPollerOptions) {}

  /** Polls now (or right after the poll in progress). */
  kick(): void {
    this.stopped = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.running) {
      this.again = true;
      return;
    }
    void this.poll();
  }

  stop(): void {
    this.stopped = true;
    this.again = false;
    this.failures = 0;
    this.latest = null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private async poll(): Promise<void> {
    this.running = true;
    this.polls++;
    const [jobs, blockJobs] = await Promise.all([
      this.options.run('query-jobs'),
      this.options.run('query-block-jobs'),
    ]);
    this.running = false;
    if (this.stopped) return;
    if (jobs.kind !== 'return') {
      this.failures++;
      const interval = this.options.intervalMs ?? 1_000;
      this.schedule(Math.min(MAX_RETRY_MS, interval * 2 ** (this.failures - 1)));
      return;
    }
    this.failures = 0;
    const list: JsonValue = Array.isArray(jobs.value) ? jobs.value : [];
    const data: JsonObject = {
      jobs: list,
      'block-jobs': blockJobs.kind === 'return' ? blockJobs.value : [],
    };
    const hasJobs = list.length > 0;
    if (hasJobs || this.hadJobs) this.options.publish(data);
    this.hadJobs = hasJobs;
    this.latest = hasJobs ? data : null;
    if (hasJobs) this.schedule(this.options.intervalMs ?? 1_000);
    else if (this.again) this.schedule(0);
  }

  /** The next poll: at once when a kick came in meanwhile, else after `delayMs`. */
  private schedule(delayMs: number): void {
    if (this.again) {
      this.again = false;
      void this.poll();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.poll();
    }, delayMs);
  }
}
