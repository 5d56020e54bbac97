// Reads beside a qcow2 blockdev-create: QEMU 7.2 aborts when query-named-block-nodes or
// query-block meets the running create job (block/qcow2.c qcow2_get_specific_info). Through the
// proxy the reads wait for the job, so 60 rounds of a create with 30 pipelined reads from a
// viewer leave QEMU running and every read answered. Without the wait QEMU 7.2 died in about 1
// round in 8 of the same load on its own monitor, and this test failed in 1 of 2 runs at 25 rounds.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ProxyHandle } from '../../proxy/server.ts';
import { startTestQemu, type TestQemu } from '../harness/qemu.ts';
import { proxyConfig, startTestProxy, WsQmp } from './proxy-helpers.ts';

let qemu: TestQemu;
let proxy: ProxyHandle;

beforeAll(async () => {
  qemu = await startTestQemu();
  proxy = await startTestProxy(
    proxyConfig([{ name: 'vm', address: { type: 'unix', path: qemu.qmpSocket } }], {
      allowPaths: [qemu.dir],
      viewerTokenFile: join(qemu.dir, 'viewer-token'),
    }),
  );
});

afterAll(async () => {
  await proxy?.stop();
  await qemu?.stop();
});

it('holds image-detail reads while a blockdev-create job runs; QEMU survives', async () => {
  const operator = await WsQmp.open(proxy, 'vm');
  const viewer = await WsQmp.open(proxy, 'vm', { token: proxy.viewerToken });
  for (let round = 0; round < 60; round++) {
    const path = join(qemu.dir, `create-${round}.qcow2`);
    await writeFile(path, '');
    const file = { driver: 'file', 'node-name': `f${round}`, filename: path };
    expect(
      await operator.send({ execute: 'blockdev-add', arguments: file, id: `a${round}` }),
    ).toEqual({ return: {}, id: `a${round}` });
    const create = {
      'job-id': `c${round}`,
      options: { driver: 'qcow2', file: `f${round}`, size: 16 << 20 },
    };
    const created = operator.send({
      execute: 'blockdev-create',
      arguments: create,
      id: `c${round}`,
    });
    const reads = Array.from({ length: 30 }, (_, i) =>
      viewer.send({
        execute: i % 2 ? 'query-block' : 'query-named-block-nodes',
        arguments: i % 2 ? {} : { flat: true },
        id: `r${round}-${i}`,
      }),
    );
    expect(await created).toEqual({ return: {}, id: `c${round}` });
    for (const reply of await Promise.all(reads)) expect(reply).toHaveProperty('return');
    await qemu.direct.waitForEvent(
      (e) =>
        e.event === 'JOB_STATUS_CHANGE' &&
        e.data?.id === `c${round}` &&
        e.data.status === 'concluded',
    );
    await qemu.direct.execute('job-dismiss', { id: `c${round}` });
  }
  expect(await qemu.direct.execute('query-status')).toHaveProperty('status');
  operator.close();
  viewer.close();
});
