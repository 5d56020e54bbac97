// `--qapi-docs DIR`: the server hands QEMU's schema sources to authenticated pages only.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readQapiDocFiles } from '../../proxy/qapi-docs-files.ts';
import type { ProxyHandle } from '../../proxy/server.ts';
import { startTestQemu, type TestQemu } from '../harness/qemu.ts';
import { proxyConfig, startTestProxy } from './proxy-helpers.ts';

const SAMPLE = `##
# @block-job-pause:
#
# Pause an active background block operation.
#
# @device: The job identifier.
#
# Since: 1.3
##
{ 'command': 'block-job-pause', 'data': { 'device': 'str' } }
`;

let qemu: TestQemu;
let proxy: ProxyHandle;
let docsDir: string;

beforeAll(async () => {
  docsDir = await mkdtemp(join(tmpdir(), 'blockscope-qapi-'));
  await writeFile(join(docsDir, 'block-core.json'), SAMPLE);
  await writeFile(join(docsDir, 'notes.txt'), 'not a schema file');
  qemu = await startTestQemu({ kind: 'storage-daemon' });
  proxy = await startTestProxy(
    proxyConfig([{ name: 'qsd', address: { type: 'unix', path: qemu.qmpSocket } }], {
      qapiDocs: docsDir,
    }),
  );
});

afterAll(async () => {
  await proxy?.stop();
  await qemu?.stop();
  await rm(docsDir, { recursive: true, force: true });
});

describe('GET /api/qapi-docs', () => {
  it('returns the *.json files of the directory to an authenticated client', async () => {
    const response = await fetch(`${proxy.origin}/api/qapi-docs`, {
      headers: { Authorization: `Bearer ${proxy.token}` },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ files: [{ name: 'block-core.json', text: SAMPLE }] });
  });

  it('refuses a client without a token', async () => {
    const response = await fetch(`${proxy.origin}/api/qapi-docs`);
    expect(response.status).toBe(401);
  });

  it('fails start-up with one clear line for a directory without schema files', async () => {
    await expect(readQapiDocFiles(join(docsDir, 'missing'))).rejects.toThrow(
      /--qapi-docs .*ENOENT/,
    );
    const empty = await mkdtemp(join(tmpdir(), 'blockscope-qapi-empty-'));
    await expect(readQapiDocFiles(empty)).rejects.toThrow(/no \*\.json files/);
    await rm(empty, { recursive: true, force: true });
  });
});
