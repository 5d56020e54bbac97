// Field docs per target (GET /api/qapi-docs/NAME): by default the QMP reference manual installed
// with the target's program (beside BLOCKSCOPE_QEMU_SYSTEM for an unpacked build, else
// /usr/share/man/man7), `--qmp-manual FILE` instead, `--qapi-docs DIR` over both. Only for
// authenticated clients; a bad flag fails start-up with one line.
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualCandidates } from '../../proxy/qmp-manual/manual-locations.ts';
import { readManualOptions } from '../../proxy/qmp-manual/manual-options.ts';
import { readQapiDocFiles } from '../../proxy/qapi-docs-files.ts';
import type { ServerConfig } from '../../proxy/config.ts';
import type { ProxyHandle } from '../../proxy/server.ts';
import type { FieldDocsResponse } from '../../src/schema/qapi-docs-wire.ts';
import { QAPI_SAMPLE } from '../fixtures/schema/qapi-docs-sample.ts';
import { manualMemberText, manualVersion, SYSTEM_MANUAL } from '../harness/manual-entry.ts';
import { startTestQemu, type TestQemu } from '../harness/qemu.ts';
import { directVersion, proxyConfig, startTestProxy } from './proxy-helpers.ts';

let vm: TestQemu;
let qsd: TestQemu;
let docsDir: string;

const targets = () => [
  { name: 'vm', address: { type: 'unix' as const, path: vm.qmpSocket } },
  { name: 'qsd', address: { type: 'unix' as const, path: qsd.qmpSocket } },
];

async function docsOf(proxy: ProxyHandle, target: string): Promise<FieldDocsResponse> {
  const response = await fetch(`${proxy.origin}/api/qapi-docs/${target}`, {
    headers: { Authorization: `Bearer ${proxy.token}`, 'Accept-Encoding': 'gzip' },
  });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-encoding')).toBe('gzip');
  return (await response.json()) as FieldDocsResponse;
}

const memberDoc = (reply: FieldDocsResponse, definition: string, member: string) =>
  reply.definitions.find((d) => d.name === definition)?.doc?.members[member];

beforeAll(async () => {
  docsDir = await mkdtemp(join(tmpdir(), 'blockscope-qapi-'));
  await writeFile(join(docsDir, 'block-core.json'), QAPI_SAMPLE);
  await writeFile(join(docsDir, 'notes.txt'), 'not a schema file');
  vm = await startTestQemu();
  qsd = await startTestQemu({ kind: 'storage-daemon' });
});

// QEMU takes one client per monitor socket: one proxy at a time.
async function withProxy(
  extra: Partial<ServerConfig>,
  check: (proxy: ProxyHandle) => Promise<void>,
) {
  const proxy = await startTestProxy(proxyConfig(targets(), extra));
  try {
    await check(proxy);
  } finally {
    await proxy.stop();
  }
}

afterAll(async () => {
  await vm?.stop();
  await qsd?.stop();
  await rm(docsDir, { recursive: true, force: true });
});

describe('GET /api/qapi-docs/NAME without --qapi-docs', () => {
  it("serves each target its own program's installed manual, to authenticated clients", async () => {
    const system = manualCandidates('qemu-system').find((p) => existsSync(p));
    await withProxy({}, async (proxy) => {
      const vmDocs = await docsOf(proxy, 'vm');
      expect(vmDocs.source).toMatchObject({ kind: 'manual', program: 'qemu-system', path: system });
      expect(vmDocs.source).toMatchObject({ version: manualVersion(system!) });
      expect(vmDocs.targetVersion).toBe((await directVersion(vm)).text);
      expect(memberDoc(vmDocs, 'blockdev-mirror', 'buf-size')).toBeTruthy();
      const qsdDocs = await docsOf(proxy, 'qsd');
      expect(qsdDocs.source).toMatchObject({ program: 'qemu-storage-daemon' });
      expect(qsdDocs.definitions.some((d) => d.name === 'query-status')).toBe(false);
      expect(qsdDocs.definitions.some((d) => d.name === 'block-export-add')).toBe(true);
      expect((await fetch(`${proxy.origin}/api/qapi-docs/vm`)).status).toBe(401);
      const unknown = await fetch(`${proxy.origin}/api/qapi-docs/nope`, {
        headers: { Authorization: `Bearer ${proxy.token}` },
      });
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toEqual({ error: 'unknown target' });
    });
  });

  it('reports both versions, so a target that runs another QEMU than its manual can be told', async () => {
    // The system's 7.2 manual for whatever QEMU this run uses: under the backports matrix run
    // (QEMU 10.0) the two versions differ, which the page turns into its note.
    await withProxy({ qmpManuals: [SYSTEM_MANUAL] }, async (proxy) => {
      const reply = await docsOf(proxy, 'vm');
      expect(reply.source).toMatchObject({
        path: SYSTEM_MANUAL,
        version: manualVersion(SYSTEM_MANUAL),
      });
      expect(reply.targetVersion).toBe((await directVersion(vm)).text);
      expect(memberDoc(reply, 'blockdev-mirror', 'buf-size')).toBe(
        manualMemberText(SYSTEM_MANUAL, 'blockdev-mirror', 'buf-size'),
      );
    });
  });
});

describe('--qapi-docs DIR and --qmp-manual FILE', () => {
  it('serves the parsed qapi/*.json files to every target instead of the manuals', async () => {
    await withProxy({ qapiDocs: docsDir }, async (proxy) => {
      for (const target of ['vm', 'qsd']) {
        const reply = await docsOf(proxy, target);
        expect(reply.source).toEqual({ kind: 'qapi-files', dir: docsDir });
        expect(memberDoc(reply, 'blockdev-mirror', 'buf-size')).toBe(
          'bytes that may be on their way from source to target',
        );
      }
    });
  });

  it('fails start-up with one clear line for unusable paths', async () => {
    await expect(readQapiDocFiles(join(docsDir, 'missing'))).rejects.toThrow(
      /--qapi-docs .*ENOENT/,
    );
    const empty = await mkdtemp(join(tmpdir(), 'blockscope-qapi-empty-'));
    await expect(readQapiDocFiles(empty)).rejects.toThrow(/no \*\.json files/);
    await rm(empty, { recursive: true, force: true });
    await expect(readManualOptions([join(docsDir, 'notes.txt')])).rejects.toThrow(
      /^--qmp-manual .*notes\.txt: not a QEMU QMP reference manual page/,
    );
    await expect(readManualOptions([SYSTEM_MANUAL, SYSTEM_MANUAL])).rejects.toThrow(
      /already documents qemu-system; give one per program/,
    );
  });
});
