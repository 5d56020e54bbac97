import { describe, expect, it } from 'vitest';
import type { CommandResult } from './command-queue.ts';
import { RECENT_MS, SharedReads } from './shared-reads.ts';

/** A send whose reply the test gives, counting how often QEMU would be asked. */
function upstream() {
  const pending: ((r: CommandResult) => void)[] = [];
  let sent = 0;
  return {
    send: () => {
      sent++;
      return new Promise<CommandResult>((resolve) => pending.push(resolve));
    },
    answer: (value: CommandResult) => pending.shift()!(value),
    get sent() {
      return sent;
    },
  };
}

const ok = (value: string): CommandResult => ({ kind: 'return', value });
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('SharedReads', () => {
  it('shares a read in flight, by command and arguments in any member order', async () => {
    const reads = new SharedReads();
    const qemu = upstream();
    const a = reads.run('query-named-block-nodes', { flat: true, x: 1 }, qemu.send);
    const b = reads.run('query-named-block-nodes', { x: 1, flat: true }, qemu.send);
    const c = reads.run('query-named-block-nodes', { flat: false, x: 1 }, qemu.send);
    expect(qemu.sent).toBe(2);
    qemu.answer(ok('one'));
    qemu.answer(ok('two'));
    expect(await Promise.all([a, b, c])).toEqual([ok('one'), ok('one'), ok('two')]);
    expect(reads.joined).toBe(1);
  });

  it('answers from a recent reply until RECENT_MS, a mutating command or an event', async () => {
    let now = 1_000;
    const reads = new SharedReads(() => now);
    const qemu = upstream();
    const read = () => reads.run('query-block', undefined, qemu.send);
    void read();
    qemu.answer(ok('first'));
    await settle();
    now += RECENT_MS - 1;
    expect(await read()).toEqual(ok('first'));
    expect(qemu.sent).toBe(1);
    now += 1;
    void read();
    expect(qemu.sent).toBe(2);
    qemu.answer(ok('second'));
    await settle();
    void reads.run('blockdev-add', {}, qemu.send);
    expect(qemu.sent).toBe(3);
    void read();
    expect(qemu.sent).toBe(4);
    qemu.answer(ok('added'));
    qemu.answer(ok('third'));
    await settle();
    reads.event();
    void read();
    expect(qemu.sent).toBe(5);
  });

  it('answers pollers and I/O statistics only from a read in flight', async () => {
    const reads = new SharedReads(() => 0);
    const qemu = upstream();
    void reads.run('query-jobs', undefined, qemu.send);
    qemu.answer(ok('jobs'));
    void reads.run('query-blockstats', undefined, qemu.send);
    qemu.answer(ok('stats'));
    await settle();
    void reads.run('query-jobs', undefined, qemu.send, { recent: false });
    void reads.run('query-blockstats', undefined, qemu.send);
    expect(qemu.sent).toBe(4);
    // A read in flight is joined, by them too.
    const joined = reads.run('query-blockstats', undefined, qemu.send, { recent: false });
    expect(qemu.sent).toBe(4);
    qemu.answer(ok('jobs again'));
    qemu.answer(ok('stats again'));
    expect(await joined).toEqual(ok('stats again'));
  });

  it('does not keep an error: the next read asks QEMU again', async () => {
    const reads = new SharedReads();
    const qemu = upstream();
    const failed = reads.run('query-block', undefined, qemu.send);
    qemu.answer({ kind: 'error', error: { class: 'GenericError', desc: 'no' } });
    await failed;
    await settle();
    void reads.run('query-block', undefined, qemu.send);
    expect(qemu.sent).toBe(2);
  });

  it('never shares what is not a query', () => {
    const reads = new SharedReads();
    const qemu = upstream();
    void reads.run('qom-get', { path: '/objects', property: 'x' }, qemu.send);
    void reads.run('qom-get', { path: '/objects', property: 'x' }, qemu.send);
    expect(qemu.sent).toBe(2);
  });

  it('never answers a session from a reply older than the session', async () => {
    let t = 1_000;
    const reads = new SharedReads(() => t);
    let sent = 0;
    const send = () => {
      sent++;
      return Promise.resolve({ kind: 'return' as const, value: [] });
    };
    await reads.run('query-block-exports', undefined, send, { newerThan: 0 });
    t = 1_200;
    // An older session shares the reply of 200 ms ago; one opened since does not.
    await reads.run('query-block-exports', undefined, send, { newerThan: 500 });
    expect(sent).toBe(1);
    await reads.run('query-block-exports', undefined, send, { newerThan: 1_100 });
    expect(sent).toBe(2);
  });
});
