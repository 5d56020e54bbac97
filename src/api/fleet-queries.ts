// The fleet overview from the proxy: GET /api/fleet once, then its event stream
// (/api/fleet/events), whose every message is the whole list and replaces the cached one. The
// page opens no QMP session for it: the proxy's shared pollers and counts feed it.
import { queryOptions, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { parseJobsSnapshot, type JobsSnapshot } from './jobs-queries.ts';
import type { TargetInfo } from './session.ts';

export interface FleetCounts {
  nodes: number;
  disks: number;
  exports?: number;
}

export interface FleetRow extends TargetInfo {
  /** ssh://… for a target reached through SSH. */
  remote?: string;
  /** The --target-dir its socket is in. */
  dir?: string;
  counts?: FleetCounts;
  /** Its jobs while any exist (the proxy's job poller). */
  jobs?: JobsSnapshot;
  /** When this list arrived (epoch ms), for rates. */
  receivedAt: number;
}

/** Rows as the proxy sends them, each checked and given its arrival time. */
export function parseFleet(value: unknown, receivedAt: number): FleetRow[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter(
      (r): r is Record<string, unknown> =>
        typeof r === 'object' &&
        r !== null &&
        typeof (r as { name?: unknown }).name === 'string' &&
        typeof (r as { state?: unknown }).state === 'string',
    )
    .map((r) => {
      const jobs = r.jobs === undefined ? null : parseJobsSnapshot(r.jobs);
      const { jobs: _jobs, ...rest } = r;
      return {
        ...(rest as unknown as TargetInfo),
        ...(jobs ? { jobs } : {}),
        receivedAt,
      } as FleetRow;
    });
}

export const fleetKey = ['fleet'] as const;

export function fleetOptions() {
  return queryOptions({
    queryKey: fleetKey,
    queryFn: async ({ client }): Promise<FleetRow[]> => {
      const asked = Date.now();
      const response = await fetch('/api/fleet', { credentials: 'same-origin' });
      if (!response.ok) throw new Error(`/api/fleet: HTTP ${response.status}`);
      const rows = parseFleet(await response.json(), Date.now());
      // The stream opens beside this read and sends after every change, so once it has spoken it
      // is current; a reply that was slower than one of its messages would only set the page back.
      const streamed = client.getQueryState<FleetRow[]>(fleetKey);
      if (streamed?.data && streamed.dataUpdatedAt >= asked) return streamed.data;
      return rows;
    },
  });
}

/** Keeps the cached fleet current from the proxy's stream while the component is mounted. */
export function useFleetStream(enabled: boolean, onRows?: (rows: FleetRow[]) => void): void {
  const queryClient = useQueryClient();
  useEffect(() => {
    if (!enabled) return;
    const source = new EventSource('/api/fleet/events', { withCredentials: true });
    source.onmessage = (message: MessageEvent<string>) => {
      let value: unknown;
      try {
        value = JSON.parse(message.data);
      } catch {
        return;
      }
      const rows = parseFleet(value, Date.now());
      onRows?.(rows);
      queryClient.setQueryData(fleetKey, rows);
    };
    return () => source.close();
  }, [enabled, queryClient, onRows]);
}
