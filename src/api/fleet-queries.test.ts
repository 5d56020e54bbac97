import { QueryClient } from '@tanstack/react-query';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fleetKey, fleetOptions, parseFleet, type FleetRow } from './fleet-queries.ts';

const row = (counts?: { nodes: number; disks: number; exports: number }) => ({
  name: 'vm1',
  state: 'connected',
  ...(counts ? { counts } : {}),
});

/** A fetch whose reply the test releases when it chooses. */
function heldFetch(body: unknown): { release: () => void } {
  let release = () => {};
  const replied = new Promise<void>((resolve) => (release = resolve));
  vi.stubGlobal(
    'fetch',
    vi.fn(async () => {
      await replied;
      return new Response(JSON.stringify(body), { status: 200 });
    }),
  );
  return { release };
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('the fleet read and its stream', () => {
  it('a reply slower than a stream message does not set the rows back', async () => {
    const qc = new QueryClient();
    // The read was answered before the counts were known ...
    const read = heldFetch([row()]);
    const fetching = qc.fetchQuery(fleetOptions());
    // ... and the stream, opened beside it, has sent them since.
    qc.setQueryData<FleetRow[]>(
      fleetKey,
      parseFleet([row({ nodes: 2, disks: 1, exports: 0 })], Date.now()),
    );
    read.release();
    await fetching;
    expect(qc.getQueryData<FleetRow[]>(fleetKey)?.[0]?.counts).toEqual({
      nodes: 2,
      disks: 1,
      exports: 0,
    });
  });

  it('with no stream message yet, the reply is what the page shows', async () => {
    const qc = new QueryClient();
    const read = heldFetch([row({ nodes: 5, disks: 3, exports: 1 })]);
    const fetching = qc.fetchQuery(fleetOptions());
    read.release();
    await fetching;
    expect(qc.getQueryData<FleetRow[]>(fleetKey)?.[0]?.counts).toEqual({
      nodes: 5,
      disks: 3,
      exports: 1,
    });
  });
});
