// The fleet overview's pure parts: what each row shows, searching and sorting, and the jobs of
// every target as one list. No React, so the rules are tested on their own.
import type { FleetRow } from '../../api/fleet-queries.ts';
import { joinJobs, type JobRow } from '../jobs/job-model.ts';

export type FleetSortKey = 'name' | 'state' | 'kind' | 'disks' | 'nodes' | 'jobs' | 'exports';

export interface FleetSort {
  key: FleetSortKey;
  descending: boolean;
}

/** Connected first when sorting by state: what needs attention is at the other end. */
const STATE_ORDER = ['connected', 'negotiating', 'connecting', 'busy', 'disconnected', 'gone'];

export function jobsOf(row: FleetRow): JobRow[] {
  return row.jobs ? joinJobs(row.jobs) : [];
}

/** Whether a row matches the search text: any of name, state, reason, kind, version, address. */
export function matchesSearch(row: FleetRow, search: string): boolean {
  const words = search.trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const text = [
    row.name,
    row.state,
    row.reason,
    row.kind,
    row.version,
    row.remote,
    row.dir,
    row.managed,
    ...jobsOf(row).flatMap((j) => [j.id, j.type]),
  ]
    .filter(Boolean)
    .join(' ')
    .toLowerCase();
  return words.every((w) => text.includes(w));
}

function sortValue(row: FleetRow, key: FleetSortKey): string | number {
  switch (key) {
    case 'name':
      return row.name;
    case 'state': {
      const i = STATE_ORDER.indexOf(row.state);
      return i < 0 ? STATE_ORDER.length : i;
    }
    case 'kind':
      return `${row.kind ?? '~'} ${row.version ?? ''}`;
    case 'disks':
      return row.counts?.disks ?? -1;
    case 'nodes':
      return row.counts?.nodes ?? -1;
    case 'exports':
      return row.counts?.exports ?? -1;
    case 'jobs':
      return jobsOf(row).length;
  }
}

export function sortFleet(rows: readonly FleetRow[], sort: FleetSort): FleetRow[] {
  const sign = sort.descending ? -1 : 1;
  return [...rows].sort((a, b) => {
    const x = sortValue(a, sort.key);
    const y = sortValue(b, sort.key);
    const order =
      typeof x === 'number' && typeof y === 'number'
        ? x - y
        : String(x).localeCompare(String(y), undefined, { numeric: true });
    return order * sign || a.name.localeCompare(b.name, undefined, { numeric: true });
  });
}

export interface FleetJob {
  target: string;
  job: JobRow;
}

/** Every job of every target, by target name then QEMU's order. */
export function fleetJobs(rows: readonly FleetRow[]): FleetJob[] {
  return [...rows]
    .sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }))
    .flatMap((row) => jobsOf(row).map((job) => ({ target: row.name, job })));
}
