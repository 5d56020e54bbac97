import { describe, expect, it } from 'vitest';
import type { FleetRow } from '../../api/fleet-queries.ts';
import { fleetJobs, matchesSearch, sortFleet } from './fleet-model.ts';

const row = (name: string, extra: Partial<FleetRow> = {}): FleetRow => ({
  name,
  state: 'connected',
  receivedAt: 0,
  ...extra,
});

const mirror = (id: string) => ({
  jobs: [{ id, type: 'mirror', status: 'running', 'current-progress': 1, 'total-progress': 4 }],
  'block-jobs': [],
});

describe('the fleet overview', () => {
  const rows = [
    row('vm10', { counts: { nodes: 3, disks: 1 }, kind: 'qemu-system', version: '10.0.2' }),
    row('vm2', { state: 'gone', reason: 'the socket /run/vm2.qmp was removed' }),
    row('store', {
      counts: { nodes: 9, disks: 0 },
      kind: 'qemu-storage-daemon',
      jobs: mirror('m1'),
    }),
  ];

  it('searches every word in name, state, reason, kind and job ids', () => {
    expect(rows.filter((r) => matchesSearch(r, 'vm')).map((r) => r.name)).toEqual(['vm10', 'vm2']);
    expect(rows.filter((r) => matchesSearch(r, 'removed')).map((r) => r.name)).toEqual(['vm2']);
    expect(rows.filter((r) => matchesSearch(r, 'STORAGE m1')).map((r) => r.name)).toEqual([
      'store',
    ]);
    expect(rows.filter((r) => matchesSearch(r, '  ')).length).toBe(3);
  });

  it('sorts names naturally, numbers as numbers, unknown counts last, either way', () => {
    const names = (key: Parameters<typeof sortFleet>[1]['key'], descending = false) =>
      sortFleet(rows, { key, descending }).map((r) => r.name);
    expect(names('name')).toEqual(['store', 'vm2', 'vm10']);
    expect(names('nodes', true)).toEqual(['store', 'vm10', 'vm2']);
    expect(names('state')).toEqual(['store', 'vm10', 'vm2']);
    expect(names('jobs', true)[0]).toBe('store');
  });

  it('lists the jobs of every target', () => {
    expect(fleetJobs(rows).map((j) => [j.target, j.job.id, j.job.type])).toEqual([
      ['store', 'm1', 'mirror'],
    ]);
  });
});
