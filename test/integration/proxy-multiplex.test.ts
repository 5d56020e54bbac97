// One QMP connection, many sessions: ids stay private to each session, events reach everyone,
// and one shared poller feeds job progress to all. Real qemu-system 7.2 behind a recording relay.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProxyHandle } from '../../proxy/server.ts';
import { startRecordingRelay, type RecordingRelay } from '../fake-qmp/recording-relay.ts';
import { startTestQemu, type TestQemu } from '../harness/qemu.ts';
import {
  directVersion,
  proxyConfig,
  startTestProxy,
  WsQmp,
  type Message,
} from './proxy-helpers.ts';

const GiB = 1024 * 1024 * 1024;
let qemu: TestQemu;
let relay: RecordingRelay;
let proxy: ProxyHandle;

beforeAll(async () => {
  qemu = await startTestQemu({
    args: [
      '-blockdev',
      `null-co,node-name=src,size=${GiB}`,
      '-blockdev',
      `null-co,node-name=dst,size=${GiB}`,
    ],
  });
  relay = await startRecordingRelay(join(qemu.dir, 'relay.sock'), qemu.qmpSocket);
  proxy = await startTestProxy(
    proxyConfig([{ name: 'vm', address: { type: 'unix', path: relay.path } }]),
  );
});

afterAll(async () => {
  await proxy?.stop();
  await relay?.stop();
  await qemu?.stop();
});

const IDS = [1, 'a', { x: [1, 2] }, null];

describe('multiplexer against qemu-system', () => {
  it('gives three sessions using the same ids their own replies, over one QEMU connection', async () => {
    const sessions = await Promise.all([0, 1, 2].map(() => WsQmp.open(proxy, 'vm')));
    const joinedBefore = proxy.multiplexers.get('vm')!.reads.joined;
    const commands: Message[] = [
      { execute: 'query-version' },
      { execute: 'query-status' },
      { execute: 'query-named-block-nodes', arguments: { flat: true } },
    ];
    // Every session sends all its commands before any reply can come back.
    for (const [i, session] of sessions.entries()) {
      for (const id of IDS) session.ws.send(JSON.stringify({ ...commands[i], id }));
    }
    const replies = await Promise.all(
      sessions.map(async (session) => {
        await session.next((m) => m.id === null && ('return' in m || 'error' in m));
        return session.messages.filter((m) => 'return' in m && m.id !== '__neg');
      }),
    );
    const expectedMajor = (await directVersion(qemu)).major;
    for (const [i, list] of replies.entries()) {
      expect(list.map((m) => m.id)).toEqual(IDS);
      for (const reply of list) {
        const value = reply.return as Record<string, unknown> | unknown[];
        if (i === 0) expect(value).toHaveProperty('qemu.major', expectedMajor);
        if (i === 1) expect(value).toHaveProperty('status', 'prelaunch');
        if (i === 2) expect(Array.isArray(value) && value.length).toBe(2);
      }
    }
    expect(relay.connections).toBe(1);
    // QEMU saw only proxy-owned ids, never a client's.
    const sent = relay.linesMatching(/query-(version|status|named-block-nodes)/);
    // A read identical to one still in flight shares its reply (shared-reads.ts).
    const joined = proxy.multiplexers.get('vm')!.reads.joined - joinedBefore;
    expect(sent.length + joined).toBe(12);
    expect(sent.length).toBeGreaterThanOrEqual(3);
    for (const line of sent) expect(JSON.parse(line).id).toMatch(/^blockscope:\d+:\d+$/);
    for (const session of sessions) session.close();
  });

  it('fans job events and one shared progress poll out to every session', async () => {
    const sessions = await Promise.all([0, 1, 2].map(() => WsQmp.open(proxy, 'vm')));
    const [a, b, c] = sessions as [WsQmp, WsQmp, WsQmp];
    const started = await a.send({
      execute: 'blockdev-mirror',
      arguments: {
        'job-id': 'm1',
        device: 'src',
        target: 'dst',
        sync: 'full',
        speed: 8 * 1024 * 1024,
      },
      id: 7,
    });
    expect(started).toEqual({ return: {}, id: 7 });
    for (const session of sessions) {
      // Every page hears that a command changed the graph, not only the one that ran it.
      await session.next(
        (m) =>
          m.event === 'X_BLOCKSCOPE_COMMAND_DONE' &&
          (m.data as Message).command === 'blockdev-mirror',
      );
      await session.next(
        (m) => m.event === 'JOB_STATUS_CHANGE' && (m.data as Message).status === 'running',
      );
    }
    const pollsBefore = relay.linesMatching(/"query-jobs"/).length;
    const jobsEvent = (m: Message) =>
      m.event === 'X_BLOCKSCOPE_JOBS' && ((m.data as { jobs: unknown[] }).jobs.length ?? 0) > 0;
    const eventsBefore = c.messages.filter(jobsEvent).length;
    // Wait for three more progress snapshots in the last session.
    await c.next(
      (m) => jobsEvent(m) && c.messages.filter(jobsEvent).indexOf(m) >= eventsBefore + 2,
    );
    const polls = relay.linesMatching(/"query-jobs"/).length - pollsBefore;
    const delivered = c.messages.filter(jobsEvent).length - eventsBefore;
    // One poll per snapshot for all three sessions, not one per session.
    expect(polls).toBeGreaterThanOrEqual(delivered - 1);
    expect(polls).toBeLessThanOrEqual(delivered + 1);
    for (const session of [a, b])
      expect(session.messages.filter(jobsEvent).length).toBeGreaterThan(0);
    const snapshot = c.messages.filter(jobsEvent).at(-1)!.data as {
      jobs: Message[];
      'block-jobs': Message[];
    };
    expect(snapshot.jobs[0]).toMatchObject({ id: 'm1', type: 'mirror' });
    expect(snapshot['block-jobs'][0]).toMatchObject({ device: 'm1', speed: 8 * 1024 * 1024 });

    expect(await b.send({ execute: 'job-cancel', arguments: { id: 'm1' }, id: 7 })).toEqual({
      return: {},
      id: 7,
    });
    for (const session of sessions) {
      await session.next(
        (m) => m.event === 'JOB_STATUS_CHANGE' && (m.data as Message).status === 'null',
      );
      // The poller publishes the empty list once, so pages see the job go.
      await session.next(
        (m) => m.event === 'X_BLOCKSCOPE_JOBS' && (m.data as { jobs: unknown[] }).jobs.length === 0,
      );
    }
    expect(relay.connections).toBe(1);
    for (const session of sessions) session.close();
  });

  it('answers query-qmp-schema from the schema read at connect time', async () => {
    const session = await WsQmp.open(proxy, 'vm');
    const before = relay.linesMatching(/query-qmp-schema/).length;
    const reply = await session.send({ execute: 'query-qmp-schema', id: 's' });
    expect(Array.isArray(reply.return) && reply.return.length).toBeGreaterThan(500);
    expect(relay.linesMatching(/query-qmp-schema/).length).toBe(before);
    session.close();
  });
});
