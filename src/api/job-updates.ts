// The job list as the proxy's shared poller publishes it (X_BLOCKSCOPE_JOBS, about once a
// second while jobs exist and at once after each status change), for code that follows a job
// without asking QEMU itself.
import type { QmpClient } from '../qmp/client.ts';
import { ProxyEvent } from '../qmp/wire.ts';
import { parseJobsSnapshot, type QemuJobInfo } from './jobs-queries.ts';

export function nextJobsFrom(client: QmpClient, signal?: AbortSignal): Promise<QemuJobInfo[]> {
  return new Promise((resolve, reject) => {
    const stop = (error: Error) => {
      off();
      offState();
      signal?.removeEventListener('abort', aborted);
      reject(error);
    };
    const aborted = () => stop(new Error('stopped following the job'));
    const off = client.onEvent((event) => {
      if (event.event === ProxyEvent.TargetState && event.data?.state === 'disconnected') {
        stop(new Error('QEMU went away while the job ran'));
        return;
      }
      if (event.event !== ProxyEvent.Jobs) return;
      const snapshot = parseJobsSnapshot(event.data);
      if (!snapshot) return;
      off();
      offState();
      signal?.removeEventListener('abort', aborted);
      resolve(snapshot.jobs);
    });
    const offState = client.onState((state) => {
      if (state !== 'running') stop(new Error('the connection to Blockscope closed'));
    });
    signal?.addEventListener('abort', aborted, { once: true });
  });
}
