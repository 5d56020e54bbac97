import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../src/qmp/wire.ts';
import { SessionFlow, type FlowLimits } from './session-flow.ts';

/** A flow over a fake socket that records pause/resume, with the frames it admitted. */
function make(limits: Partial<FlowLimits> = {}, check?: (text: string) => Promise<void> | null) {
  const socket = { paused: false, pauses: 0, resumes: 0 };
  /** Whether the replies sent still wait in the send buffer (the peer reads slowly). */
  const buffer = { backedUp: false };
  const admitted: { text: string; answer: (reply: JsonObject) => void }[] = [];
  const sent: JsonObject[] = [];
  let overflowed = 0;
  const flow = new SessionFlow(
    {
      pause: () => {
        socket.paused = true;
        socket.pauses++;
      },
      resume: () => {
        socket.paused = false;
        socket.resumes++;
      },
    },
    { maxPending: 3, maxHeldBytes: 1024, ...limits },
    {
      admit: (text, answer) => {
        admitted.push({ text, answer });
        return check?.(text) ?? undefined;
      },
      send: (reply) => sent.push(reply),
      backedUp: () => buffer.backedUp,
      overflow: () => overflowed++,
    },
  );
  /** Answers the n-th admitted frame (0-based) with { return: its text }. */
  const answer = (n: number) => admitted[n]!.answer({ return: admitted[n]!.text });
  return { flow, socket, buffer, admitted, sent, answer, overflowed: () => overflowed };
}

describe('SessionFlow', () => {
  it('stops reading at its share, holds what ws still delivers, and resumes once it is all admitted', () => {
    const { flow, socket, admitted, sent, answer } = make();
    flow.start();
    for (const text of ['a', 'b', 'c', 'd', 'e']) flow.receive(text);
    expect(admitted.map((a) => a.text)).toEqual(['a', 'b', 'c']);
    expect(socket.paused).toBe(true);
    expect(flow.heldFrames).toBe(2);
    answer(0); // frees one place: 'd' is admitted from the held frames, reading stays paused
    expect(admitted.map((a) => a.text)).toEqual(['a', 'b', 'c', 'd']);
    expect(socket.paused).toBe(true);
    answer(1); // 'e' admitted: nothing held, but the share is full again
    expect(flow.heldFrames).toBe(0);
    expect(socket.paused).toBe(true);
    answer(2);
    expect(socket.paused).toBe(false);
    expect(socket.pauses).toBe(1);
    expect(socket.resumes).toBe(1);
    expect(sent).toEqual([{ return: 'a' }, { return: 'b' }, { return: 'c' }]);
  });

  it('admits nothing more while the replies sent have not drained, and goes on once they have', () => {
    const { flow, socket, buffer, admitted, sent, answer } = make();
    flow.start();
    for (const text of ['a', 'b', 'c', 'd', 'e']) flow.receive(text);
    buffer.backedUp = true; // the peer has not read the reply to 'a' yet
    answer(0);
    answer(1);
    expect(sent.map((r) => r.return)).toEqual(['a', 'b']);
    // Two places are free, but nothing is admitted and the socket stays unread.
    expect(admitted.map((a) => a.text)).toEqual(['a', 'b', 'c']);
    expect(socket.paused).toBe(true);
    expect(flow.heldFrames).toBe(2);
    buffer.backedUp = false;
    flow.drained();
    expect(admitted.map((a) => a.text)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(flow.heldFrames).toBe(0);
  });

  it('sends replies in the order the frames came, holding an early answer behind a late one', () => {
    const { flow, sent, answer } = make();
    flow.start();
    for (const text of ['slow', 'refused', 'quick']) flow.receive(text);
    answer(1);
    answer(2);
    expect(sent).toEqual([]);
    expect(flow.pending).toBe(3);
    answer(0);
    expect(sent).toEqual([{ return: 'slow' }, { return: 'refused' }, { return: 'quick' }]);
    expect(flow.pending).toBe(0);
  });

  it('answers a frame once, whatever calls its answer again', () => {
    const { flow, admitted, sent } = make();
    flow.start();
    flow.receive('x');
    admitted[0]!.answer({ return: 1 });
    admitted[0]!.answer({ return: 2 });
    expect(sent).toEqual([{ return: 1 }]);
  });

  it('holds frames before it starts, with reading paused, and admits them in order after', () => {
    const { flow, socket, admitted } = make();
    flow.receive('first');
    flow.receive('second');
    expect(admitted).toEqual([]);
    expect(socket.paused).toBe(true);
    flow.start();
    expect(admitted.map((a) => a.text)).toEqual(['first', 'second']);
    expect(socket.paused).toBe(false);
  });

  it('admits nothing after a frame that is being checked until its check settles', async () => {
    let release: () => void = () => {};
    const { flow, socket, admitted } = make({ maxPending: 8 }, (text) =>
      text === 'object-del' ? new Promise<void>((resolve) => (release = resolve)) : null,
    );
    flow.start();
    for (const text of ['a', 'object-del', 'b', 'c']) flow.receive(text);
    expect(admitted.map((a) => a.text)).toEqual(['a', 'object-del']);
    expect(socket.paused).toBe(true);
    release();
    await Promise.resolve();
    await Promise.resolve();
    expect(admitted.map((a) => a.text)).toEqual(['a', 'object-del', 'b', 'c']);
    expect(socket.paused).toBe(false);
  });

  it('takes an answer given while the frame is being admitted (a refusal) in stride', () => {
    const socket = { pause: () => {}, resume: () => {} };
    const sent: JsonObject[] = [];
    const flow = new SessionFlow(
      socket,
      { maxPending: 2, maxHeldBytes: 1024 },
      {
        admit: (text, answer) => answer({ return: text }),
        send: (reply) => sent.push(reply),
        backedUp: () => false,
        overflow: () => {},
      },
    );
    flow.receive('a');
    flow.receive('b');
    flow.receive('c');
    flow.start();
    flow.receive('d');
    expect(sent.map((r) => r.return)).toEqual(['a', 'b', 'c', 'd']);
    expect(flow.pending).toBe(0);
    expect(flow.paused).toBe(false);
  });

  it('gives up on a socket that keeps delivering while paused', () => {
    const { flow, overflowed, admitted } = make({ maxPending: 1, maxHeldBytes: 200 });
    flow.start();
    for (let i = 0; i < 10; i++) flow.receive('x'.repeat(40));
    expect(overflowed()).toBe(1);
    expect(admitted).toHaveLength(1);
    expect(flow.heldFrames).toBe(0);
  });

  it('sends nothing and admits nothing once stopped', () => {
    const { flow, admitted, sent, answer } = make();
    flow.start();
    flow.receive('a');
    flow.receive('b');
    flow.stop();
    answer(0);
    flow.receive('c');
    expect(sent).toEqual([]);
    expect(admitted.map((a) => a.text)).toEqual(['a', 'b']);
  });

  it('keeps order, its share and its reading state through any interleaving (property)', () => {
    // A step either delivers the next frame or answers one admitted frame, chosen at random.
    const step = fc.oneof(
      fc.constant({ kind: 'frame' as const }),
      fc.record({ kind: fc.constant('answer' as const), pick: fc.nat() }),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.array(step, { maxLength: 200 }),
        (share, steps) => {
          const { flow, socket, admitted, sent } = make({
            maxPending: share,
            maxHeldBytes: 1 << 20,
          });
          flow.start();
          let next = 0;
          const answered = new Set<number>();
          const open = () => admitted.map((_, i) => i).filter((i) => !answered.has(i));
          const answerOne = (n: number) => {
            answered.add(n);
            admitted[n]!.answer({ return: admitted[n]!.text });
          };
          const check = () => {
            expect(flow.pending).toBeLessThanOrEqual(share);
            // Reading is paused exactly when a frame could not be admitted at once.
            expect(socket.paused).toBe(flow.heldFrames > 0 || flow.pending >= share);
            expect(admitted.map((a) => a.text)).toEqual(
              Array.from({ length: admitted.length }, (_, i) => String(i)),
            );
          };
          for (const s of steps) {
            if (s.kind === 'frame') flow.receive(String(next++));
            else {
              const candidates = open();
              if (candidates.length > 0) answerOne(candidates[s.pick % candidates.length]!);
            }
            check();
          }
          // Answer the rest: every frame gets its reply, in arrival order.
          for (let candidates = open(); candidates.length > 0; candidates = open()) {
            answerOne(candidates[0]!);
            check();
          }
          expect(sent.map((r) => r.return)).toEqual(
            Array.from({ length: next }, (_, i) => String(i)),
          );
          expect(socket.paused).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });
});
