// Every target on one page: state and why, kind and version, disks, nodes, jobs with progress and
// NBD exports, searchable and sortable, each name a link into that target's graph.
import { useMemo, useState } from 'react';
import type { FleetRow } from '../../api/fleet-queries.ts';
import { routeHash } from '../navigation/route.ts';
import {
  jobsOf,
  matchesSearch,
  sortFleet,
  type FleetSort,
  type FleetSortKey,
} from './fleet-model.ts';

const COLUMNS: { key: FleetSortKey; label: string; numeric?: boolean }[] = [
  { key: 'name', label: 'Target' },
  { key: 'state', label: 'State' },
  { key: 'kind', label: 'Kind' },
  { key: 'disks', label: 'Disks', numeric: true },
  { key: 'nodes', label: 'Nodes', numeric: true },
  { key: 'jobs', label: 'Jobs' },
  { key: 'exports', label: 'Exports', numeric: true },
];

const STATE_TONE: Record<string, string> = {
  connected: 'text-emerald-700 dark:text-emerald-400',
  gone: 'text-slate-500 dark:text-slate-400',
  disconnected: 'text-red-700 dark:text-red-400',
  busy: 'text-amber-700 dark:text-amber-400',
};

export function SortableHeader<K extends string>({
  column,
  sort,
  onSort,
}: {
  column: { key: K; label: string; numeric?: boolean };
  sort: { key: K; descending: boolean };
  onSort: (key: K) => void;
}) {
  const active = sort.key === column.key;
  return (
    <th
      scope="col"
      aria-sort={active ? (sort.descending ? 'descending' : 'ascending') : 'none'}
      className={`px-2 py-1 font-medium ${column.numeric ? 'text-right' : 'text-left'}`}
    >
      <button type="button" onClick={() => onSort(column.key)} className="hover:underline">
        {column.label}
        {active ? (sort.descending ? ' ▼' : ' ▲') : ''}
      </button>
    </th>
  );
}

function JobsCell({ row }: { row: FleetRow }) {
  const jobs = jobsOf(row);
  if (jobs.length === 0) return <span className="text-slate-500 dark:text-slate-400">—</span>;
  return (
    <ul className="flex flex-col gap-0.5">
      {jobs.map((job) => {
        const percent = job.total > 0 ? Math.floor((job.current / job.total) * 1000) / 10 : 0;
        return (
          <li key={job.id} className="flex items-center gap-2">
            <a
              href={routeHash({ view: 'target', target: row.name, job: job.id })}
              className="text-sky-700 hover:underline dark:text-sky-400"
            >
              {job.id}
            </a>
            <span className="text-slate-500 dark:text-slate-400">
              {job.type} · {job.status}
            </span>
            <progress
              aria-label={`Progress of ${job.id} on ${row.name}`}
              max={100}
              value={percent}
              className="h-2 w-20"
            />
            <span className="tabular-nums">{percent.toFixed(1)} %</span>
          </li>
        );
      })}
    </ul>
  );
}

export function FleetOverview({ rows }: { rows: FleetRow[] }) {
  const [search, setSearch] = useState('');
  const [sort, setSort] = useState<FleetSort>({ key: 'name', descending: false });
  const shown = useMemo(
    () =>
      sortFleet(
        rows.filter((r) => matchesSearch(r, search)),
        sort,
      ),
    [rows, search, sort],
  );
  const onSort = (key: FleetSortKey) =>
    setSort((s) => ({ key, descending: s.key === key ? !s.descending : false }));
  const live = rows.filter((r) => r.state !== 'gone').length;
  return (
    <section aria-label="Fleet" className="flex min-h-0 flex-1 flex-col">
      <div className="flex items-center gap-3 px-4 py-2 text-sm">
        <label className="flex items-center gap-2">
          <span className="text-slate-500 dark:text-slate-400">Search</span>
          <input
            type="search"
            aria-label="Search targets"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            className="rounded border border-slate-300 bg-white px-2 py-1 dark:border-slate-700 dark:bg-slate-900"
          />
        </label>
        <span role="status" className="text-slate-500 dark:text-slate-400">
          {shown.length === rows.length
            ? `${countOf(rows.length, 'target')} (${live} live)`
            : `${shown.length} of ${countOf(rows.length, 'target')}`}
        </span>
      </div>
      <div className="min-h-0 flex-1 overflow-auto px-4 pb-4">
        <table aria-label="Targets" className="w-full border-collapse text-sm">
          <thead className="sticky top-0 bg-slate-50 dark:bg-slate-950">
            <tr>
              {COLUMNS.map((c) => (
                <SortableHeader key={c.key} column={c} sort={sort} onSort={onSort} />
              ))}
            </tr>
          </thead>
          <tbody>
            {shown.map((row) => (
              <tr
                key={row.name}
                aria-label={row.name}
                className="border-t border-slate-200 align-top dark:border-slate-800"
              >
                <td className="px-2 py-1">
                  {row.state === 'gone' ? (
                    <span className="text-slate-500 dark:text-slate-400">{row.name}</span>
                  ) : (
                    <a
                      href={routeHash({ view: 'target', target: row.name })}
                      className="font-medium text-sky-700 hover:underline dark:text-sky-400"
                    >
                      {row.name}
                    </a>
                  )}
                  {(row.remote ?? row.dir) && (
                    <div className="break-all text-xs text-slate-500 dark:text-slate-400">
                      {row.remote ?? row.dir}
                    </div>
                  )}
                </td>
                <td className="px-2 py-1">
                  <span className={STATE_TONE[row.state] ?? ''}>{row.state}</span>
                  {row.reason && (
                    <div className="max-w-xs break-words text-xs text-slate-500 dark:text-slate-400">
                      {row.reason}
                    </div>
                  )}
                </td>
                <td className="px-2 py-1">
                  {row.kind ?? '—'}
                  {row.version && (
                    <div className="text-xs text-slate-500 dark:text-slate-400">
                      QEMU {row.version}
                    </div>
                  )}
                  {row.managed && (
                    <div className="text-xs text-slate-500 dark:text-slate-400">{row.managed}</div>
                  )}
                </td>
                <td className="px-2 py-1 text-right tabular-nums">{row.counts?.disks ?? '—'}</td>
                <td className="px-2 py-1 text-right tabular-nums">{row.counts?.nodes ?? '—'}</td>
                <td className="px-2 py-1">
                  <JobsCell row={row} />
                </td>
                <td className="px-2 py-1 text-right tabular-nums">{row.counts?.exports ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {rows.length === 0 && (
          <p className="py-8 text-center text-slate-500 dark:text-slate-400">No targets yet.</p>
        )}
      </div>
    </section>
  );
}

/** "1 target", "3 targets". */
function countOf(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
