// The fleet page (#/fleet) and the Jobs view of every target (#/jobs), both fed by the proxy's
// fleet stream.
import { useQuery } from '@tanstack/react-query';
import { fleetOptions, useFleetStream } from '../../api/fleet-queries.ts';
import { FleetJobs, recordFleetSamples } from './fleet-jobs.tsx';
import { FleetOverview } from './fleet-overview.tsx';

export function FleetPage({ view }: { view: 'fleet' | 'jobs' }) {
  useFleetStream(true, recordFleetSamples);
  const fleet = useQuery(fleetOptions());
  if (fleet.isError)
    return (
      <p role="alert" className="px-4 py-2 text-sm text-red-800 dark:text-red-200">
        Cannot read the fleet ({fleet.error.message}).
      </p>
    );
  if (!fleet.data)
    return (
      <main className="grid flex-1 place-items-center text-slate-500 dark:text-slate-400">
        Loading targets…
      </main>
    );
  return view === 'fleet' ? <FleetOverview rows={fleet.data} /> : <FleetJobs rows={fleet.data} />;
}
