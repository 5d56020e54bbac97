// What a creation job creates, told by the proxy to every session of a real qemu-system: QEMU's
// query-jobs names a blockdev-create job only by id and type.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProxyHandle } from '../../proxy/server.ts';
import { startTestQemu, type TestQemu } from '../harness/qemu.ts';
import { proxyConfig, startTestProxy, WsQmp, type Message } from './proxy-helpers.ts';

let qemu: TestQemu;
let proxy: ProxyHandle;

beforeAll(async () => {
  qemu = await startTestQemu();
  proxy = await startTestProxy(
    proxyConfig([{ name: 'vm', address: { type: 'unix', path: qemu.qmpSocket } }], {
      allowPaths: [qemu.dir],
    }),
  );
});

afterAll(async () => {
  await proxy?.stop();
  await qemu?.stop();
});

type Jobs = { jobs: { id: string; status: string }[]; creates?: Record<string, Message> };
const jobsData = (m: Message) => m.data as Jobs;

describe('creation jobs', () => {
  it('carries what each creation job creates in the jobs event, to every session', async () => {
    const a = await WsQmp.open(proxy, 'vm');
    const b = await WsQmp.open(proxy, 'vm');
    const filename = join(qemu.dir, 'new.qcow2');
    const created = await a.send({
      execute: 'blockdev-create',
      arguments: { 'job-id': 'c-new', options: { driver: 'file', filename, size: 0 } },
      id: 1,
    });
    expect(created).toEqual({ return: {}, id: 1 });
    const concluded = (m: Message) =>
      m.event === 'X_BLOCKSCOPE_JOBS' &&
      jobsData(m).jobs.some((j) => j.id === 'c-new' && j.status === 'concluded');
    for (const session of [a, b]) {
      const event = await session.next((m) => concluded(m) && !!jobsData(m).creates?.['c-new']);
      expect(jobsData(event).creates).toEqual({ 'c-new': { driver: 'file', filename, size: 0 } });
    }
    // The same id again is refused by QEMU: the job that has it keeps its entry.
    const again = await b.send({
      execute: 'blockdev-create',
      arguments: {
        'job-id': 'c-new',
        options: { driver: 'file', filename: `${filename}2`, size: 0 },
      },
      id: 2,
    });
    expect(again).toMatchObject({ error: { desc: expect.stringMatching(/already in use/) } });
    const mark = b.messages.length;
    const later = await b.next((m) => concluded(m) && b.messages.indexOf(m) >= mark);
    expect(jobsData(later).creates).toEqual({ 'c-new': { driver: 'file', filename, size: 0 } });

    expect(await a.send({ execute: 'job-dismiss', arguments: { id: 'c-new' }, id: 3 })).toEqual({
      return: {},
      id: 3,
    });
    const gone = await b.next(
      (m) => m.event === 'X_BLOCKSCOPE_JOBS' && jobsData(m).jobs.length === 0,
    );
    expect(jobsData(gone).creates).toEqual({});
    a.close();
    b.close();
  });
});
