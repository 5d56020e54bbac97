import { describe, expect, it } from 'vitest';
import { CommandQueue } from './command-queue.ts';

const make = (maxInFlight = 2, maxQueued = 3) => {
  const written: { id: string; execute: string }[] = [];
  const queue = new CommandQueue('p:1', {
    maxInFlight,
    maxQueued,
    write: (frame) => written.push(JSON.parse(frame) as { id: string; execute: string }),
  });
  return { queue, written };
};

describe('CommandQueue', () => {
  it('writes at most maxInFlight commands and sends the next as replies come', async () => {
    const { queue, written } = make();
    const results = ['a', 'b', 'c'].map((c) => queue.submit(`query-${c}`, undefined, 10_000));
    expect(written.map((w) => w.execute)).toEqual(['query-a', 'query-b']);
    expect(queue.reply(written[1]!.id, { kind: 'return', value: 'B' })).toBe(true);
    expect(written.map((w) => w.execute)).toEqual(['query-a', 'query-b', 'query-c']);
    queue.reply(written[0]!.id, { kind: 'return', value: 'A' });
    queue.reply(written[2]!.id, { kind: 'return', value: 'C' });
    expect(await Promise.all(results)).toEqual([
      { kind: 'return', value: 'A' },
      { kind: 'return', value: 'B' },
      { kind: 'return', value: 'C' },
    ]);
    expect(queue.reply('p:1:99', { kind: 'return', value: 'stray' })).toBe(false);
  });

  it('answers Overloaded when the waiting list is full', async () => {
    const { queue } = make(1, 1);
    void queue.submit('query-a', undefined, 10_000);
    void queue.submit('query-b', undefined, 10_000);
    expect(await queue.submit('query-c', undefined, 10_000)).toMatchObject({
      error: { class: 'BlockscopeOverloaded' },
    });
  });

  it('settles reads as Disconnected and sent writes as OutcomeUnknown on connection loss', async () => {
    const { queue } = make(2, 5);
    const read = queue.submit('query-status', undefined, 10_000);
    const write = queue.submit('blockdev-del', { 'node-name': 'n' }, 10_000);
    const unsent = queue.submit('blockdev-add', {}, 10_000);
    queue.failAll('gone');
    expect(await read).toMatchObject({ error: { class: 'BlockscopeDisconnected' } });
    expect(await write).toMatchObject({ error: { class: 'BlockscopeOutcomeUnknown' } });
    expect(await unsent).toMatchObject({ error: { class: 'BlockscopeDisconnected' } });
  });

  it('times out, keeps the slot until the late reply, and drops that reply', async () => {
    const { queue, written } = make(1, 5);
    const hung = queue.submit('query-a', undefined, 20);
    const next = queue.submit('query-b', undefined, 10_000);
    expect(await hung).toMatchObject({ error: { class: 'BlockscopeTimeout' } });
    expect(written).toHaveLength(1); // QEMU is still busy with query-a
    expect(queue.reply(written[0]!.id, { kind: 'return', value: 'late' })).toBe(true);
    expect(written).toHaveLength(2);
    queue.reply(written[1]!.id, { kind: 'return', value: 'mine' });
    expect(await next).toEqual({ kind: 'return', value: 'mine' });
  });

  it('answers the oldest command in flight with an unmatched answer, a timed-out one included', async () => {
    const { queue, written } = make(3, 5);
    const hung = queue.submit('query-a', undefined, 20);
    const second = queue.submit('query-b', undefined, 10_000);
    expect(await hung).toMatchObject({ error: { class: 'BlockscopeTimeout' } });
    const parseError = {
      kind: 'error' as const,
      error: { class: 'GenericError', desc: 'JSON parse error' },
    };
    // QEMU has not answered query-a yet: the id-less error is its answer, not query-b's
    expect(queue.answerOldest(parseError)).toBe(true);
    expect(queue.reply(written[1]!.id, { kind: 'return', value: 'b' })).toBe(true);
    expect(await second).toEqual({ kind: 'return', value: 'b' });
    const third = queue.submit('query-c', undefined, 10_000);
    expect(queue.answerOldest(parseError)).toBe(true);
    expect(await third).toEqual(parseError);
    expect(queue.answerOldest(parseError)).toBe(false);
  });
});
