// The Jobs panel: every job of the target as QEMU reports it (including jobs started by other
// tools and blockdev-create jobs), then the jobs that finished while this page watched.
import { useQuery } from '@tanstack/react-query';
import { useMemo, type ReactNode } from 'react';
import { createTargetsOptions, jobCommandsOptions, jobsOptions } from '../../api/jobs-queries.ts';
import { rawGraphOptions } from '../../api/block-graph-queries.ts';
import { useConnectionState, useQmpClient, useTargetName } from '../../api/qmp-context.tsx';
import { usePlanEnds } from '../../api/plan-runs.ts';
import { sessionOptions } from '../../api/session.ts';
import { useEventLogRecorder } from '../events/event-log-store.ts';
import { FinishedJobCard, JobCard } from './job-card.tsx';
import { jobEndsFromGraph } from './job-graph-links.ts';
import { timelineFor, useJobsLive, useTimeline } from './job-live.ts';
import { finishedRuns, foldSteps } from './job-timeline.ts';
import { formatClock } from './job-format.ts';
import { joinJobs, type JobRow } from './job-model.ts';
import { useJobNotifications, useNotificationOptIn, useTitleBadge } from './job-notifications.ts';
import { rateStoreFor } from './job-rate-store.ts';
import { jobCommandsFromSchema } from './job-verbs.ts';

/**
 * `controlsFor`, when the app shell gives it, replaces each job's controls: on a libvirt guest that
 * Blockscope only watches, the jobs are libvirt's to control (the virsh command lines instead).
 */
export function JobsPanel({ controlsFor }: { controlsFor?: (job: JobRow) => ReactNode } = {}) {
  const client = useQmpClient();
  const target = useTargetName();
  useEventLogRecorder(client, target);
  useJobsLive(client, target);
  const [notify, setNotify] = useNotificationOptIn();
  useJobNotifications(target, notify);

  const jobs = useQuery(jobsOptions(client, target));
  const commandNames = useQuery(jobCommandsOptions(client, target));
  const commands = useMemo(
    () =>
      jobCommandsFromSchema(
        (commandNames.data ?? []).map((name) => ({ name, 'meta-type': 'command' })),
      ),
    [commandNames.data],
  );
  const rows = useMemo(() => (jobs.data ? joinJobs(jobs.data.snapshot) : []), [jobs.data]);
  const graph = useQuery({
    // The graph's own read, to name each job's source and target nodes.
    ...rawGraphOptions(client, target),
    enabled: rows.length > 0 && commands.has('x-debug-query-block-graph'),
    select: jobEndsFromGraph,
  });
  // What creation jobs create: told by the proxy, which saw the blockdev-create.
  const creates = useQuery(createTargetsOptions(target)).data;
  const timeline = useTimeline(target);
  const ends = usePlanEnds(target);
  useTitleBadge(rows);

  const listed = new Set(rows.map((r) => r.id));
  const finished = finishedRuns(timeline, listed);
  // Image creations that went well are steps of something else (a backup's or mirror's new
  // image): folded under the job they were made for, the rest into one line, so the jobs an
  // operator started stay in sight.
  const { stepsOf, loose: creations, operations: notable } = foldSteps(finished);
  const now = jobs.data?.receivedAt ?? 0;
  const samples = rateStoreFor(target);
  const connected = useConnectionState() === 'running';
  // A viewer session may only read: the proxy would refuse every control, so none are offered.
  const readOnly = useQuery(sessionOptions()).data?.role === 'viewer';

  return (
    <div className="flex flex-col">
      <div className="flex items-center gap-2 px-3 pb-1 text-xs text-slate-600 dark:text-slate-400">
        <label className="flex items-center gap-1.5">
          <input type="checkbox" checked={notify} onChange={(e) => setNotify(e.target.checked)} />
          Notify me when a job is ready, finishes or fails
        </label>
      </div>
      {!connected && rows.length > 0 && (
        <p
          role="status"
          className="mx-3 mb-1 rounded bg-amber-50 px-2 py-1 text-xs text-amber-900 dark:bg-amber-950 dark:text-amber-200"
        >
          Not connected: the jobs below are as QEMU reported them at {formatClock(now)}. They are
          read again from QEMU on reconnect.
        </p>
      )}
      {readOnly && rows.length > 0 && (
        <p className="px-3 pb-1 text-xs text-slate-500 dark:text-slate-400">
          Read-only session: job controls are hidden.
        </p>
      )}
      {jobs.isError && (
        <p role="alert" className="px-3 py-2 text-sm text-red-700 dark:text-red-300">
          Cannot read the jobs: {jobs.error.message}
        </p>
      )}
      {jobs.isPending && (
        <p className="px-3 py-2 text-sm text-slate-500 dark:text-slate-400">Reading jobs…</p>
      )}
      {jobs.isSuccess && rows.length === 0 && (
        <div className="px-3 py-4 text-sm text-slate-500 dark:text-slate-400">
          <p className="font-medium">No block jobs</p>
          <p className="text-xs">
            Mirror, backup, commit and image-creation jobs of this target appear here as soon as
            they start, including those started by other tools.
          </p>
        </div>
      )}
      <div className={connected ? '' : 'opacity-60'}>
        {rows.map((job) => (
          <JobCard
            key={job.id}
            readOnly={!connected || readOnly}
            {...(controlsFor && connected ? { controls: controlsFor(job) } : {})}
            job={job}
            history={timeline[job.id]}
            samples={samples.get(job.id)}
            ends={graph.data?.get(job.id)}
            creates={creates?.[job.id]}
            commands={commands}
            now={now}
          />
        ))}
      </div>
      {finished.length > 0 && (
        <section aria-label="Finished jobs" className="mt-2">
          <div className="flex items-center px-3 py-1">
            <h3 className="text-sm font-medium">Finished</h3>
            <button
              type="button"
              onClick={() => timelineFor(target).clearEnded()}
              className="ml-auto text-xs text-sky-700 hover:underline dark:text-sky-400"
            >
              Clear finished
            </button>
          </div>
          {notable.map(([key, h]) => (
            <FinishedJobCard
              key={key}
              history={h}
              steps={stepsOf.get(key)?.map(([, step]) => step)}
              // A plan's note belongs to the latest run of its job id.
              {...(key === h.id ? { end: ends.findLast((e) => e.job === h.id) } : {})}
            />
          ))}
          {creations.length > 0 && (
            <details className="px-3 py-1 text-xs text-slate-600 dark:text-slate-400">
              <summary className="cursor-pointer">
                {creations.length} image creation{creations.length > 1 ? 's' : ''} completed (
                {creations.map(([, h]) => h.id).join(', ')})
              </summary>
              {creations.map(([key, h]) => (
                <FinishedJobCard key={key} history={h} />
              ))}
            </details>
          )}
        </section>
      )}
    </div>
  );
}
