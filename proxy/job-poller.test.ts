import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProxyErrorClass } from '../src/qmp/errors.ts';
import type { CommandResult } from './command-queue.ts';
import { JobPoller } from './job-poller.ts';

const job = { id: 'm1', type: 'mirror', status: 'running' };
const timeout: CommandResult = {
  kind: 'error',
  error: { class: ProxyErrorClass.Timeout, desc: 'no reply within 30000 ms' },
};

/** A poller over a scripted QEMU: each query-jobs takes the next answer from `answers`. */
function make(answers: CommandResult[]) {
  const asked: string[] = [];
  const published: unknown[] = [];
  const poller = new JobPoller({
    run: (command) => {
      asked.push(command);
      if (command === 'query-block-jobs') return Promise.resolve({ kind: 'return', value: [] });
      return Promise.resolve(answers.shift() ?? { kind: 'return', value: [job] });
    },
    publish: (data) => published.push(data),
    intervalMs: 1_000,
  });
  const polls = () => asked.filter((c) => c === 'query-jobs').length;
  return { poller, published, polls };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('JobPoller', () => {
  it('keeps polling after a failed query-jobs while connected, backing off, then resumes', async () => {
    const { poller, published, polls } = make([
      { kind: 'return', value: [job] },
      timeout,
      timeout,
      { kind: 'return', value: [job] },
    ]);
    poller.kick();
    await vi.advanceTimersByTimeAsync(0);
    expect(polls()).toBe(1);
    expect(published).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1_000); // second poll: fails
    expect(polls()).toBe(2);
    await vi.advanceTimersByTimeAsync(999); // first retry after 1 s
    expect(polls()).toBe(2);
    await vi.advanceTimersByTimeAsync(1); // fails again
    expect(polls()).toBe(3);
    await vi.advanceTimersByTimeAsync(1_999); // the next retry waits 2 s
    expect(polls()).toBe(3);
    await vi.advanceTimersByTimeAsync(1); // succeeds
    expect(polls()).toBe(4);
    expect(published).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1_000); // back to once a second
    expect(polls()).toBe(5);
    poller.stop();
  });

  it('retries a failed first poll even when no job was known', async () => {
    const { poller, published, polls } = make([timeout]);
    poller.kick();
    await vi.advanceTimersByTimeAsync(0);
    expect(published).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(polls()).toBe(2);
    expect(published).toEqual([{ jobs: [job], 'block-jobs': [] }]);
    poller.stop();
  });

  it('stops for good when stopped (the connection dropped), until kicked again', async () => {
    const { poller, polls } = make([timeout]);
    poller.kick();
    await vi.advanceTimersByTimeAsync(0);
    poller.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(polls()).toBe(1);
    poller.kick();
    await vi.advanceTimersByTimeAsync(0);
    expect(polls()).toBe(2);
    poller.stop();
  });

  it('asks nothing while there are no jobs', async () => {
    const { poller, polls } = make([{ kind: 'return', value: [] }]);
    poller.kick();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(polls()).toBe(1);
  });
});
