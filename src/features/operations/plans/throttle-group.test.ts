import { describe, expect, it } from 'vitest';
import { liveInputs } from '../../block-graph/model/fixtures.ts';
import { liveStateFromGraph } from './graph-live-state.ts';
import { planGroupCreate } from './throttle-group.ts';

const live = liveStateFromGraph(liveInputs('mirror'));

describe('planGroupCreate', () => {
  it('says the limits of a new group, or that it has none yet', () => {
    const limited = planGroupCreate(live, 'tgx', { 'bps-total': 20 * 1024 * 1024 });
    expect(limited.ok && limited.plan.summary).toBe(
      "Create throttle group 'tgx', limited to 20 MiB/s total.",
    );
    const empty = planGroupCreate(live, 'tgy', {});
    expect(empty.ok && empty.plan.summary).toBe("Create throttle group 'tgy', with no limits yet.");
  });
});
