// A block job that stays alive and changes state on demand: a mirror between two null-co nodes
// reaches "ready" at once and then moves ready → standby → ready on every pause/resume, each
// move a JOB_STATUS_CHANGE. Used for event fan-out and for event → DOM timing.
import type { DirectQmp } from '../test/harness/direct-qmp.ts';
import { sleep } from './qmp-events.ts';

export interface BenchJob {
  id: string;
  /** Pauses then resumes the job once; QEMU emits standby, then ready. */
  toggle(): Promise<void>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  cancel(): Promise<void>;
}

export async function startBenchJob(direct: DirectQmp, id: string): Promise<BenchJob> {
  for (const role of ['src', 'dst']) {
    await direct.execute('blockdev-add', {
      driver: 'null-co',
      'node-name': `${id}-${role}`,
      size: 64 * 1024 * 1024,
    });
  }
  await direct.execute('blockdev-mirror', {
    'job-id': id,
    device: `${id}-src`,
    target: `${id}-dst`,
    sync: 'full',
  });
  await direct.waitForEvent((e) => e.event === 'BLOCK_JOB_READY' && e.data?.device === id);
  const pause = () => direct.execute('job-pause', { id }).then(() => undefined);
  const resume = () => direct.execute('job-resume', { id }).then(() => undefined);
  return {
    id,
    pause,
    resume,
    async toggle() {
      await pause();
      await sleep(10);
      await resume();
    },
    async cancel() {
      await direct.execute('job-cancel', { id });
      await direct.waitForEvent(
        (e) => e.event === 'JOB_STATUS_CHANGE' && e.data?.id === id && e.data.status === 'null',
      );
      for (const role of ['src', 'dst'])
        await direct.execute('blockdev-del', { 'node-name': `${id}-${role}` });
    },
  };
}
