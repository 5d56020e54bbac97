// One Jobs view across all targets: target, job, type, progress, rate, ETA, state, and the same
// controls as each target's Jobs panel (JobControls, QEMU's verb table). The rows come from the
// fleet stream; a target's controls talk to it through a QMP session of its own, opened only for
// the targets that have jobs.
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import type { FleetRow } from '../../api/fleet-queries.ts';
import { jobCommandsOptions } from '../../api/jobs-queries.ts';
import { QmpProvider, useQmpClient, useTargetName } from '../../api/qmp-context.tsx';
import { sessionOptions } from '../../api/session.ts';
import { routeHash } from '../navigation/route.ts';
import { JobControls } from '../jobs/job-controls.tsx';
import { cardFigures, displayFraction } from '../jobs/job-figures.ts';
import { statusWords } from '../jobs/job-format.ts';
import type { JobRow } from '../jobs/job-model.ts';
import { estimateRate } from '../jobs/job-rate.ts';
import { JobRateStore } from '../jobs/job-rate-store.ts';
import { jobCommandsFromSchema } from '../jobs/job-verbs.ts';
import { jobsOf } from './fleet-model.ts';
import { SortableHeader } from './fleet-overview.tsx';

/** Progress samples per target, from the fleet stream (apart from each target panel's own). */
const stores = new Map<string, JobRateStore>();
function storeFor(target: string): JobRateStore {
  let store = stores.get(target);
  if (!store) stores.set(target, (store = new JobRateStore()));
  return store;
}

/** Records one sample per job of every row (called for each message of the stream). */
export function recordFleetSamples(rows: readonly FleetRow[]): void {
  for (const row of rows) storeFor(row.name).record(jobsOf(row), row.receivedAt);
}

type JobSortKey = 'target' | 'job' | 'type' | 'progress' | 'state';
const COLUMNS: { key: JobSortKey; label: string }[] = [
  { key: 'target', label: 'Target' },
  { key: 'job', label: 'Job' },
  { key: 'type', label: 'Type' },
  { key: 'progress', label: 'Progress' },
];

function TargetControls({ job }: { job: JobRow }) {
  const client = useQmpClient();
  const target = useTargetName();
  const names = useQuery(jobCommandsOptions(client, target));
  const commands = useMemo(
    () =>
      jobCommandsFromSchema((names.data ?? []).map((name) => ({ name, 'meta-type': 'command' }))),
    [names.data],
  );
  if (!names.data)
    return <span className="text-xs text-slate-500 dark:text-slate-400">connecting…</span>;
  return <JobControls job={job} commands={commands} />;
}

function JobLine({
  target,
  job,
  receivedAt,
  readOnly,
}: {
  target: string;
  job: JobRow;
  receivedAt: number;
  readOnly: boolean;
}) {
  const samples = storeFor(target).get(job.id);
  const estimate = estimateRate(samples, job.speed ? { speed: job.speed } : {});
  const figures = cardFigures(job, undefined, samples, estimate, receivedAt);
  const percent = Math.floor(displayFraction(job, estimate) * 1000) / 10;
  return (
    <tr
      aria-label={`${target} ${job.id}`}
      className="border-t border-slate-200 align-top dark:border-slate-800"
    >
      <td className="px-2 py-1">
        <a
          href={routeHash({ view: 'target', target })}
          className="text-sky-700 hover:underline dark:text-sky-400"
        >
          {target}
        </a>
      </td>
      <td className="px-2 py-1">
        <a
          href={routeHash({ view: 'target', target, job: job.id })}
          className="text-sky-700 hover:underline dark:text-sky-400"
        >
          {job.id}
        </a>
      </td>
      <td className="px-2 py-1">{job.type}</td>
      <td className="px-2 py-1">
        <progress
          aria-label={`Progress of ${job.id} on ${target}`}
          max={100}
          value={percent}
          className="h-2 w-24"
        />{' '}
        <span className="tabular-nums">{percent.toFixed(1)} %</span>
      </td>
      <td className="px-2 py-1 tabular-nums">{figures.rate}</td>
      <td className="px-2 py-1 tabular-nums">{figures.eta}</td>
      <td className="px-2 py-1">{statusWords(job.status, job.ioStatus, job.error)}</td>
      <td className="px-2 py-1">{!readOnly && <TargetControls job={job} />}</td>
    </tr>
  );
}

export function FleetJobs({ rows }: { rows: FleetRow[] }) {
  const [sort, setSort] = useState<{ key: JobSortKey; descending: boolean }>({
    key: 'target',
    descending: false,
  });
  const readOnly = useQuery(sessionOptions()).data?.role === 'viewer';
  const onSort = (key: JobSortKey) =>
    setSort((s) => ({ key, descending: s.key === key ? !s.descending : false }));
  const value = (row: FleetRow, job: JobRow): string | number => {
    if (sort.key === 'target') return row.name;
    if (sort.key === 'job') return job.id;
    if (sort.key === 'type') return job.type;
    if (sort.key === 'state') return job.status;
    return job.total > 0 ? job.current / job.total : 0;
  };
  const sign = sort.descending ? -1 : 1;
  // each target's rows stay together, inside that target's QMP session for the controls
  const groups = rows
    .filter((row) => row.state !== 'gone' && jobsOf(row).length > 0)
    .map((row) => ({
      row,
      jobs: jobsOf(row).sort((a, b) => {
        const x = value(row, a);
        const y = value(row, b);
        return (
          (typeof x === 'number' && typeof y === 'number'
            ? x - y
            : String(x).localeCompare(String(y))) * sign
        );
      }),
    }))
    .sort((a, b) => {
      const x = value(a.row, a.jobs[0]!);
      const y = value(b.row, b.jobs[0]!);
      const order =
        typeof x === 'number' && typeof y === 'number'
          ? x - y
          : String(x).localeCompare(String(y), undefined, { numeric: true });
      return order * sign || a.row.name.localeCompare(b.row.name);
    });
  const count = groups.reduce((n, g) => n + g.jobs.length, 0);
  return (
    <section aria-label="All jobs" className="flex min-h-0 flex-1 flex-col">
      <p role="status" className="px-4 py-2 text-sm text-slate-500 dark:text-slate-400">
        {count === 0
          ? 'No target has a job now.'
          : `${count} job${count === 1 ? '' : 's'} on ${groups.length} target${groups.length === 1 ? '' : 's'}`}
      </p>
      <div className="min-h-0 flex-1 overflow-auto px-4 pb-4">
        <table aria-label="Jobs of every target" className="w-full border-collapse text-sm">
          <thead className="sticky top-0 bg-slate-50 dark:bg-slate-950">
            <tr>
              {COLUMNS.map((c) => (
                <SortableHeader key={c.key} column={c} sort={sort} onSort={onSort} />
              ))}
              <th scope="col" className="px-2 py-1 text-left font-medium">
                Rate
              </th>
              <th scope="col" className="px-2 py-1 text-left font-medium">
                ETA
              </th>
              <SortableHeader
                column={{ key: 'state', label: 'State' }}
                sort={sort}
                onSort={onSort}
              />
              <th scope="col" className="px-2 py-1 text-left font-medium">
                Controls
              </th>
            </tr>
          </thead>
          {groups.map(({ row, jobs }) => (
            <tbody key={row.name}>
              <QmpProvider target={row.name}>
                {jobs.map((job) => (
                  <JobLine
                    key={job.id}
                    target={row.name}
                    job={job}
                    receivedAt={row.receivedAt}
                    readOnly={readOnly}
                  />
                ))}
              </QmpProvider>
            </tbody>
          ))}
        </table>
      </div>
    </section>
  );
}
