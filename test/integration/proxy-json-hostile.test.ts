// Property: nothing a viewer or an operator sends makes the proxy drop its QEMU connection, and
// every frame gets exactly one reply with its own id. Hostile frames (hostile-frames.ts) go through
// the proxy to a real QEMU: command and argument names from the live schema, every JSON type in
// every argument slot, odd escapes and surrogates, huge numbers, long strings, deep nesting,
// unknown keys and ids of every type. QEMU must never answer "JSON parse error": the proxy refuses
// what QEMU's parser would refuse (src/qmp/qemu-json-rules.ts) before anything is sent.
import fc from 'fast-check';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR_COMMANDS } from '../../proxy/command-lists.ts';
import type { ProxyHandle } from '../../proxy/server.ts';
import type { Upstream } from '../../proxy/upstream.ts';
import { isReadOnlyCommand } from '../../src/qmp/wire.ts';
import { startTestQemu, type TestQemu } from '../harness/qemu.ts';
import { frameSpec, frameText, liveCommands, type LiveCommand } from './hostile-frames.ts';
import { proxyConfig, startTestProxy, WsQmp, type Message } from './proxy-helpers.ts';

const RUNS_PER_ROLE = 300;
const BATCHES = 8;
const BATCH_SIZE = 40;

let qemu: TestQemu;
let proxy: ProxyHandle;
let upstream: Upstream;
let everyCommand: LiveCommand[];
let operatorCommands: LiveCommand[];
let seq = 0;

beforeAll(async () => {
  qemu = await startTestQemu();
  proxy = await startTestProxy(
    proxyConfig([{ name: 'vm', address: { type: 'unix', path: qemu.qmpSocket } }], {
      viewerTokenFile: join(qemu.dir, 'viewer-token'),
    }),
  );
  upstream = proxy.multiplexers.get('vm')!.upstream;
  everyCommand = liveCommands(upstream.schema);
  // The operator's block commands, with hostile arguments; the test QEMU has no block nodes, no
  // jobs and no devices, so none of them can change anything that matters here.
  operatorCommands = everyCommand.filter(
    (c) => isReadOnlyCommand(c.name) || OPERATOR_COMMANDS.has(c.name),
  );
});

afterAll(async () => {
  await proxy?.stop();
  await qemu?.stop();
});

const isReply = (m: Message) => !('event' in m) && !('QMP' in m);
const stateEvents = (session: WsQmp) =>
  session.events('X_BLOCKSCOPE_TARGET_STATE').map((m) => (m.data as Message).state);

/** What every reply must be, whatever the frame was. */
function checkReply(reply: Message, expectedId: unknown): void {
  expect(Object.hasOwn(reply, 'return') !== Object.hasOwn(reply, 'error')).toBe(true);
  const error = reply.error as { class: string; desc: string } | undefined;
  // QEMU itself never saw a line it could not read: the proxy refused it first
  if (error?.class === 'GenericError')
    expect(error.desc).not.toMatch(/^JSON (parse error|nesting)/);
  if (Object.hasOwn(reply, 'id')) {
    expect(reply.id).toEqual(expectedId);
  } else if (expectedId !== undefined) {
    // no id comes back only when the frame as a whole was refused unread
    expect(error).toMatchObject({ class: 'BlockscopeBadRequest' });
    expect(error!.desc).toMatch(/^JSON parse error/);
  }
}

function checkConnection(...sessions: WsQmp[]): void {
  expect(upstream.connections).toBe(1);
  expect(upstream.currentState).toBe('connected');
  for (const session of sessions) expect(stateEvents(session)).toEqual(['connected']);
}

/** Sends hostile frames one by one; each next reply is that frame's. Returns how many were sent. */
async function oneByOne(session: WsQmp, commands: LiveCommand[]): Promise<number> {
  let sent = 0;
  await fc.assert(
    fc.asyncProperty(frameSpec(commands), async (spec) => {
      const { text, id } = frameText(spec, ++seq);
      fc.pre(Buffer.byteLength(text) < 60_000); // larger frames are closed with 1009, tested elsewhere
      const before = session.messages.length;
      session.ws.send(text);
      sent++;
      const reply = await session.next((m) => isReply(m) && session.messages.indexOf(m) >= before);
      checkReply(reply, id);
      checkConnection(session);
    }),
    {
      numRuns: RUNS_PER_ROLE,
      endOnFailure: true, // a dropped connection changes the state every later run sees
      examples: [
        [
          {
            command: 'query-named-block-nodes',
            members: [['"flat"', '"\\ud800"']],
            argsShape: 'object',
            idKind: 'int',
            extraTop: false,
          },
        ],
      ],
    },
  );
  return sent;
}

describe('hostile frames through the proxy to a real QEMU', () => {
  it('answers the frame of issue 14 with a refusal carrying its id', async () => {
    const viewer = await WsQmp.open(proxy, 'vm', { token: proxy.viewerToken });
    const frame = '{"execute":"query-named-block-nodes","arguments":{"flat":"\\ud800"},"id":1}';
    expect(await viewer.sendRaw(frame)).toEqual({
      error: {
        class: 'BlockscopeBadRequest',
        desc: 'JSON parse error: unpaired surrogate U+D800 in a string at position 57',
      },
      id: 1,
    });
    checkConnection(viewer);
    viewer.close();
  });

  it('never drop the QEMU connection and get one reply each, from a viewer and an operator at once', async () => {
    const viewer = await WsQmp.open(proxy, 'vm', { token: proxy.viewerToken });
    const operator = await WsQmp.open(proxy, 'vm');
    // the viewer tries every command (the policy refuses writes: a refusal is a reply too)
    const sent = await Promise.all([
      oneByOne(viewer, everyCommand),
      oneByOne(operator, operatorCommands),
    ]);
    expect(sent[0]).toBeGreaterThan(RUNS_PER_ROLE * 0.9);
    expect(viewer.messages.filter(isReply)).toHaveLength(sent[0] + 1); // + negotiation
    expect(operator.messages.filter(isReply)).toHaveLength(sent[1] + 1);
    // not a test of the refusals alone: a good share of the frames was read and answered by QEMU
    const answeredByQemu = [...viewer.messages, ...operator.messages].filter(
      (m) =>
        isReply(m) &&
        m.id !== '__neg' &&
        (!('error' in m) || /^(GenericError|Device)/.test((m.error as Message).class as string)),
    );
    expect(answeredByQemu.length).toBeGreaterThan((sent[0] + sent[1]) * 0.15);
    checkConnection(viewer, operator);
    expect(await operator.send({ execute: 'query-version', id: 'still' })).toMatchObject({
      return: { qemu: {} },
    });
    expect(await qemu.direct.execute('query-status')).toMatchObject({ status: 'prelaunch' });
    viewer.close();
    operator.close();
  });

  it('answer a pipelined burst of hostile frames once each, by id', async () => {
    const session = await WsQmp.open(proxy, 'vm');
    await fc.assert(
      fc.asyncProperty(
        fc.array(frameSpec(operatorCommands), { minLength: BATCH_SIZE, maxLength: BATCH_SIZE }),
        async (specs) => {
          const frames = specs
            .map((spec) => frameText({ ...spec, idKind: 'string' }, ++seq))
            .filter((f) => Buffer.byteLength(f.text) < 60_000);
          const before = session.messages.length;
          for (const frame of frames) session.ws.send(frame.text);
          const mine = () => session.messages.slice(before).filter(isReply);
          await session.next(() => mine().length >= frames.length);
          // a last command, answered after everything above: nothing more is on its way
          expect(await session.send({ execute: 'query-version', id: `end-${seq}` })).toHaveProperty(
            'return',
          );
          const replies = mine().slice(0, -1);
          expect(replies).toHaveLength(frames.length);
          let refusedUnread = 0;
          for (const frame of frames) {
            const own = replies.filter((r) => r.id === frame.id);
            expect(own.length).toBeLessThanOrEqual(1);
            if (own.length === 1) checkReply(own[0]!, frame.id);
            else refusedUnread++;
          }
          const idless = replies.filter((r) => !Object.hasOwn(r, 'id'));
          expect(idless).toHaveLength(refusedUnread);
          for (const reply of idless) checkReply(reply, 'an id that could not be read');
          checkConnection(session);
        },
      ),
      { numRuns: BATCHES, endOnFailure: true },
    );
    session.close();
  });
});
