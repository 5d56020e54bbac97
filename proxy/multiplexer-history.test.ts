// The multiplexer's record of a target's history across the life of its upstream connection,
// with a stand-in upstream (the real one against QEMU: test/integration/proxy-history.test.ts).
import { describe, expect, it } from 'vitest';
import type { JsonObject, QmpEvent } from '../src/qmp/wire.ts';
import type { CommandResult } from './command-queue.ts';
import { Multiplexer } from './multiplexer.ts';
import type { StateChange, Upstream } from './upstream.ts';

function standIn() {
  const stateListeners: ((c: StateChange) => void)[] = [];
  const eventListeners: ((e: QmpEvent) => void)[] = [];
  let jobs: JsonObject[] = [];
  const upstream = {
    currentState: 'connected',
    greeting: {
      QMP: { version: { qemu: { major: 7, minor: 2, micro: 0 }, package: '' }, capabilities: [] },
    },
    schemaCommands: undefined,
    onState: (l: (c: StateChange) => void) => (stateListeners.push(l), () => {}),
    onEvent: (l: (e: QmpEvent) => void) => (eventListeners.push(l), () => {}),
    execute: (command: string): Promise<CommandResult> =>
      Promise.resolve({ kind: 'return', value: command === 'query-jobs' ? jobs : [] }),
  };
  return {
    upstream: upstream as unknown as Upstream,
    emit: (name: string, data?: JsonObject) =>
      eventListeners.forEach((l) =>
        l({ event: name, ...(data ? { data } : {}), timestamp: { seconds: 1, microseconds: 0 } }),
      ),
    state: (change: StateChange) => stateListeners.forEach((l) => l(change)),
    setJobs: (next: JsonObject[]) => (jobs = next),
  };
}

const names = (mux: Multiplexer) =>
  (mux.historyEvent().data!.entries as { event: string; data?: JsonObject }[]).map((e) =>
    e.event === 'X_BLOCKSCOPE_TARGET_STATE' ? `state ${String(e.data?.state)}` : e.event,
  );

describe('Multiplexer history', () => {
  it('lives across reconnects to QEMU, which it shows as state changes', () => {
    const fake = standIn();
    const mux = new Multiplexer(fake.upstream, 60_000, 60_000);
    const since = mux.historyEvent().data!.since;
    fake.emit('RESUME');
    fake.state({ state: 'disconnected', reason: 'QEMU went away' } as StateChange);
    fake.state({ state: 'connected', version: '7.2.0' } as StateChange);
    mux.commandDone('block-job-cancel', 'operator', { device: 'm', force: false });
    mux.announce({
      event: 'X_BLOCKSCOPE_TARGETS',
      data: { added: ['vm2'] },
      timestamp: { seconds: 2, microseconds: 0 },
    });
    expect(names(mux)).toEqual([
      'RESUME',
      'state disconnected',
      'state connected',
      'X_BLOCKSCOPE_COMMAND_DONE',
    ]);
    expect(mux.historyEvent().data!.since).toBe(since);
    mux.close();
  });

  it("records a job's error from the poll once, and not the poll itself", async () => {
    const fake = standIn();
    const mux = new Multiplexer(fake.upstream, 5, 60_000);
    fake.setJobs([{ id: 'c', type: 'create', status: 'concluded', error: 'too small' }]);
    mux.poller.kick();
    await expect.poll(() => names(mux)).toEqual(['X_BLOCKSCOPE_JOB_ERROR']);
    // More polls of the same job: still once.
    const seen = mux.poller.latest;
    await expect.poll(() => mux.poller.latest !== seen).toBe(true);
    expect(names(mux)).toEqual(['X_BLOCKSCOPE_JOB_ERROR']);
    expect(mux.historyEvent().data!.entries).toMatchObject([
      { data: { id: 'c', type: 'create', error: 'too small' }, count: 1 },
    ]);
    mux.close();
  });
});
