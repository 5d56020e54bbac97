// Every refusal, against a real qemu-system behind a recording relay: the refused request gets a
// clear status or QMP-shaped error, nothing of it reaches QEMU, and the audit log records it.
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { ProxyHandle } from '../../proxy/server.ts';
import { CloseCode } from '../../src/qmp/close-codes.ts';
import { isReadOnlyCommand } from '../../src/qmp/wire.ts';
import { startRecordingRelay, type RecordingRelay } from '../fake-qmp/recording-relay.ts';
import { startTestQemu, type TestQemu } from '../harness/qemu.ts';
import { directVersion, proxyConfig, rawUpgrade, startTestProxy, WsQmp } from './proxy-helpers.ts';

let qemu: TestQemu;
let relay: RecordingRelay;
let proxy: ProxyHandle;
let auditPath: string;
let allowDir: string;

beforeAll(async () => {
  qemu = await startTestQemu();
  allowDir = join(qemu.dir, 'images');
  await mkdir(allowDir);
  await writeFile(join(allowDir, 'ok.raw'), Buffer.alloc(1024 * 1024));
  relay = await startRecordingRelay(join(qemu.dir, 'relay.sock'), qemu.qmpSocket);
  auditPath = join(qemu.dir, 'audit', 'audit.jsonl');
  proxy = await startTestProxy(
    proxyConfig([{ name: 'vm', address: { type: 'unix', path: relay.path } }], {
      auditLog: auditPath,
      viewerTokenFile: join(qemu.dir, 'viewer-token'),
      allowPaths: [allowDir],
    }),
  );
});

afterAll(async () => {
  await proxy?.stop();
  await relay?.stop();
  await qemu?.stop();
});

/**
 * Lines QEMU received, except the proxy's own: the job poller's query-jobs/query-block-jobs and
 * the NBD server record's query-block-exports at connect (they may reach the relay a moment later).
 */
const commandsSeen = () =>
  relay.lines.filter((line) => !/"query-(block-)?jobs"|"query-block-exports"/.test(line)).length;

/** Opens a WebSocket with these headers and no bearer token, and says how the proxy closed it. */
function closeOf(
  port: number,
  path: string,
  headers: Record<string, string>,
): Promise<{ code: number; reason: string; messages: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, {
      headers,
      perMessageDeflate: false,
    });
    let messages = 0;
    ws.on('message', () => messages++);
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString(), messages }));
    ws.on('error', reject);
  });
}

const audit = () =>
  readFileSync(auditPath, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('HTTP and upgrade refusals', () => {
  it('refuses upgrades without the right credentials, Origin or Host, and QEMU sees nothing', async () => {
    const linesBefore = commandsSeen();
    const path = '/api/qmp/vm';
    const bearer = { Authorization: `Bearer ${proxy.token}` };
    expect(await rawUpgrade(proxy.port, path, {})).toBe(401);
    expect(await rawUpgrade(proxy.port, path, { Authorization: 'Bearer short' })).toBe(401);
    expect(await rawUpgrade(proxy.port, path, { Authorization: `Bearer ${'x'.repeat(43)}` })).toBe(
      401,
    );
    expect(await rawUpgrade(proxy.port, path, { ...bearer, Origin: 'http://evil.example' })).toBe(
      403,
    );
    expect(
      await rawUpgrade(proxy.port, path, {
        ...bearer,
        Origin: `http://127.0.0.1:${proxy.port + 1}`,
      }),
    ).toBe(403);
    expect(
      await rawUpgrade(proxy.port, path, { ...bearer, Origin: `https://127.0.0.1:${proxy.port}` }),
    ).toBe(403);
    expect(
      await rawUpgrade(proxy.port, path, { ...bearer, Host: `evil.example:${proxy.port}` }),
    ).toBe(421);
    expect(await rawUpgrade(proxy.port, `${path}?token=${proxy.token}`, {})).toBe(400);
    // an authenticated client learns that the target is unknown from close code 4004
    const pathLike = await WsQmp.open(proxy, '..%2F..%2Frun%2Fx.sock', { negotiate: false });
    expect(await pathLike.closed).toEqual({ code: 4004, reason: 'unknown target' });
    expect(pathLike.messages).toEqual([]);
    // The accepted cases, so the refusals above are not an artefact of the helper.
    expect(await rawUpgrade(proxy.port, path, bearer)).toBe(101);
    expect(await rawUpgrade(proxy.port, path, { ...bearer, Origin: proxy.origin })).toBe(101);
    expect(commandsSeen()).toBe(linesBefore);
    expect(relay.connections).toBe(1);
    const refused = audit().filter((e) => e.outcome === 'refused' && e.command === null);
    expect(refused.length).toBeGreaterThanOrEqual(9);
    expect(readFileSync(auditPath, 'utf8')).not.toContain(proxy.token);
  });

  it('trades a bearer token for an HttpOnly SameSite=Strict cookie, usable only with the page Origin', async () => {
    const base = `http://127.0.0.1:${proxy.port}`;
    expect((await fetch(`${base}/api/targets`)).status).toBe(401);
    expect((await fetch(`${base}/api/session`)).status).toBe(401);
    const health = await fetch(`${base}/api/health`);
    expect(await health.json()).toEqual({ ok: true });
    const login = await fetch(`${base}/api/session`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${proxy.viewerToken}` },
    });
    expect(await login.json()).toEqual({ role: 'viewer' });
    const setCookie = login.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^blockscope_session=[^;]+; HttpOnly; SameSite=Strict; Path=\//);
    const cookie = setCookie.split(';')[0]!;
    const session = await fetch(`${base}/api/session`, { headers: { Cookie: cookie } });
    // the role, and where files may be named (as real paths)
    expect(await session.json()).toEqual({ role: 'viewer', allowPaths: [realpathSync(allowDir)] });
    const targets = await fetch(`${base}/api/targets`, { headers: { Cookie: cookie } });
    expect(await targets.json()).toEqual([
      {
        name: 'vm',
        state: 'connected',
        version: (await directVersion(qemu)).text,
        kind: 'qemu-system',
      },
    ]);
    const path = '/api/qmp/vm';
    expect(await rawUpgrade(proxy.port, path, { Cookie: cookie })).toBe(403);
    expect(
      await rawUpgrade(proxy.port, path, { Cookie: cookie, Origin: 'http://evil.example' }),
    ).toBe(403);
    expect(await rawUpgrade(proxy.port, path, { Cookie: cookie, Origin: proxy.origin })).toBe(101);
    // A cookie that no longer signs in (forged here; expired, or from before a restart with new
    // tokens, in life) from the page's Origin: the page is told in a close code it can read, and
    // nothing of it reaches QEMU. Without that Origin it is a plain 401.
    const forged = cookie.replace('viewer', 'operator');
    const linesBefore = commandsSeen();
    const ended = await closeOf(proxy.port, path, { Cookie: forged, Origin: proxy.origin });
    expect(ended).toEqual({ code: CloseCode.Unauthorized, reason: 'session ended', messages: 0 });
    expect(await rawUpgrade(proxy.port, path, { Cookie: forged })).toBe(401);
    expect(
      await rawUpgrade(proxy.port, path, { Cookie: forged, Origin: 'http://evil.example' }),
    ).toBe(401);
    expect(commandsSeen()).toBe(linesBefore);
    const endedLines = () =>
      audit().filter((e) => JSON.stringify(e.error ?? '').endsWith(': session ended"}'));
    await expect.poll(() => endedLines().length).toBe(1);
    expect(endedLines()[0]).toMatchObject({ outcome: 'refused', error: { class: 'HTTP 401' } });
    expect((await fetch(`${base}/api/targets?token=${proxy.token}`)).status).toBe(400);
  });
});

describe('command refusals', () => {
  it('keeps the viewer to reads and everyone away from commands outside the block layer', async () => {
    const viewer = await WsQmp.open(proxy, 'vm', { token: proxy.viewerToken });
    const operator = await WsQmp.open(proxy, 'vm');
    const add = { driver: 'file', 'node-name': 'ok', filename: join(allowDir, 'ok.raw') };
    expect(await viewer.send({ execute: 'blockdev-add', arguments: add, id: 1 })).toMatchObject({
      error: { class: 'BlockscopeDenied' },
      id: 1,
    });
    expect(await viewer.send({ execute: 'query-status', id: 2 })).toMatchObject({
      return: { status: 'prelaunch' },
    });
    const hmp = { 'command-line': 'info version' };
    expect(
      await operator.send({ execute: 'human-monitor-command', arguments: hmp, id: 'h' }),
    ).toMatchObject({ error: { class: 'BlockscopeDenied' }, id: 'h' });
    expect(await operator.send({ execute: 'quit', id: 'q' })).toMatchObject({
      error: { class: 'BlockscopeDenied' },
    });
    expect(await operator.send({ execute: 'x-no-such-command', id: 'u' })).toMatchObject({
      error: { class: 'CommandNotFound' },
    });
    // File arguments stay inside --allow-path.
    for (const filename of ['/etc/passwd', join(allowDir, '..', 'qmp.sock'), 'relative.raw']) {
      const reply = await operator.send({
        execute: 'blockdev-add',
        arguments: { driver: 'file', 'node-name': 'bad', filename },
        id: 'p',
      });
      expect(reply).toMatchObject({ error: { class: 'BlockscopePathNotAllowed' } });
    }
    const nbd = { addr: { type: 'inet', data: { host: '0.0.0.0', port: '10809' } } };
    expect(
      await operator.send({ execute: 'nbd-server-start', arguments: nbd, id: 'n' }),
    ).toMatchObject({ error: { class: 'BlockscopeDenied' } });
    expect(await operator.send({ execute: 'blockdev-add', arguments: add, id: 'ok' })).toEqual({
      return: {},
      id: 'ok',
    });
    expect(relay.linesMatching(/human-monitor|quit|passwd|0\.0\.0\.0|no-such|"bad"/)).toEqual([]);
    expect(relay.linesMatching(/blockdev-add/)).toHaveLength(1);
    const nodes = await qemu.direct.execute<{ 'node-name': string }[]>('query-named-block-nodes', {
      flat: true,
    });
    expect(nodes.map((n) => n['node-name'])).toEqual(['ok']);

    const entries = audit().filter((e) => e.command !== null);
    const summary = entries.map((e) => `${e.role} ${e.command} ${e.outcome}`);
    expect(summary).toEqual([
      'viewer blockdev-add refused',
      'operator human-monitor-command refused',
      'operator quit refused',
      'operator x-no-such-command refused',
      'operator blockdev-add refused',
      'operator blockdev-add refused',
      'operator blockdev-add refused',
      'operator nbd-server-start refused',
      'operator blockdev-add ok',
    ]);
    expect(entries[0]).toMatchObject({
      target: 'vm',
      arguments: add,
      error: { class: 'BlockscopeDenied' },
    });
    expect(entries[0]!.peer).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(typeof entries[0]!.durationMs).toBe('number');
    expect(statSync(auditPath).mode & 0o777).toBe(0o600);
    viewer.close();
    operator.close();
  });

  it('answers malformed, duplicate-key and multi-object frames with BlockscopeBadRequest and stays open', async () => {
    const session = await WsQmp.open(proxy, 'vm');
    const linesBefore = commandsSeen();
    const auditBefore = audit().length;
    const frames = [
      "{'execute':'quit'}",
      '{"execute":"query-status","execute":"quit","id":1}',
      '{"execute":"query-status","id":2}{"execute":"quit","id":3}',
      '{"execute":"query-status","id":4}\n{"execute":"quit"}',
      '{"execute": }',
      '[1,2]',
    ];
    for (const frame of frames) {
      const reply = await session.sendRaw(frame);
      expect(reply).toMatchObject({ error: { class: 'BlockscopeBadRequest' } });
      expect(reply).not.toHaveProperty('id');
    }
    expect(await session.send({ execute: 'query-status', bogus: 1, id: 9 })).toMatchObject({
      error: { class: 'BlockscopeBadRequest', desc: expect.stringContaining('bogus') },
      id: 9,
    });
    expect(commandsSeen()).toBe(linesBefore);
    expect(audit().length - auditBefore).toBe(frames.length + 1);
    expect(await session.send({ execute: 'query-status', id: 10 })).toMatchObject({
      return: { status: 'prelaunch' },
      id: 10,
    });
    session.close();
  });

  it('closes a session that sends a frame over 64 KiB, without touching QEMU', async () => {
    const session = await WsQmp.open(proxy, 'vm');
    const linesBefore = commandsSeen();
    const padding = 'x'.repeat(70 * 1024);
    session.ws.send(JSON.stringify({ execute: 'query-status', arguments: { padding }, id: 1 }));
    expect((await session.closed).code).toBe(1009);
    expect(commandsSeen()).toBe(linesBefore);
    expect(audit().at(-1)).toMatchObject({ outcome: 'refused', command: null, role: 'operator' });
  });

  it('lets only reads through for a viewer, and no hard-denied command for anyone, over the whole live schema', async () => {
    const schema =
      await qemu.direct.execute<{ name: string; 'meta-type': string }[]>('query-qmp-schema');
    const commands = schema
      .filter((e) => e['meta-type'] === 'command' && e.name !== 'qmp_capabilities')
      .map((e) => e.name);
    expect(commands.length).toBeGreaterThan(200);
    const viewer = await WsQmp.open(proxy, 'vm', { token: proxy.viewerToken });
    const operator = await WsQmp.open(proxy, 'vm');
    const start = relay.lines.length;
    // Arguments are left out on purpose: whatever reaches QEMU fails its own argument check.
    await Promise.all(commands.map((name, i) => viewer.send({ execute: name, id: i })));
    const viewerSaw = new Set(relay.lines.slice(start).map((l) => JSON.parse(l).execute as string));
    viewerSaw.delete('query-jobs');
    viewerSaw.delete('query-block-jobs');
    for (const name of viewerSaw) expect(isReadOnlyCommand(name)).toBe(true);
    expect(viewerSaw.has('query-named-block-nodes')).toBe(true);

    const denied = ['human-monitor-command', 'quit', 'device_add', 'migrate', 'getfd', 'cont'];
    const mark = relay.lines.length;
    const replies = await Promise.all(
      denied.map((name) => operator.send({ execute: name, id: name })),
    );
    for (const reply of replies)
      expect(reply).toMatchObject({ error: { class: 'BlockscopeDenied' } });
    expect(relay.lines.slice(mark).filter((l) => !/"query-(block-)?jobs"/.test(l))).toEqual([]);
    viewer.close();
    operator.close();
  });

  it('lists for each role exactly the commands it may send (GET /api/targets/NAME/commands)', async () => {
    const list = async (token?: string) => {
      const response = await fetch(`${proxy.origin}/api/targets/vm/commands`, {
        headers: token ? { Authorization: `Bearer ${token}` } : {},
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    expect((await list()).status).toBe(401);
    const missing = await fetch(`${proxy.origin}/api/targets/nope/commands`, {
      headers: { Authorization: `Bearer ${proxy.token}` },
    });
    expect(missing.status).toBe(404);

    const viewerList = (await list(proxy.viewerToken)).body as { commands: string[] };
    const operatorList = (await list(proxy.token)).body as {
      commands: string[];
      refusedDrivers: string[];
    };
    // The viewer's list is exactly what the proxy does not refuse by name when it sends every
    // schema command (without arguments: whatever gets through fails QEMU's own argument check).
    const schema =
      await qemu.direct.execute<{ name: string; 'meta-type': string }[]>('query-qmp-schema');
    // qmp_capabilities is the session's own business, answered by the proxy: never offered.
    const commands = schema
      .filter((e) => e['meta-type'] === 'command' && e.name !== 'qmp_capabilities')
      .map((e) => e.name);
    const viewer = await WsQmp.open(proxy, 'vm', { token: proxy.viewerToken });
    const replies = await Promise.all(
      commands.map((name, i) => viewer.send({ execute: name, id: i })),
    );
    viewer.close();
    const refusedByName = (reply: unknown) =>
      /^Blockscope(Denied)?$/.test(
        String((reply as { error?: { class?: string } }).error?.class ?? ''),
      );
    const passed = new Set(commands.filter((_, i) => !refusedByName(replies[i])));
    expect(passed.has('query-named-block-nodes')).toBe(true);
    expect(passed.has('blockdev-add')).toBe(false);
    expect(new Set(viewerList.commands)).toEqual(passed);

    expect(operatorList.commands).toEqual(expect.arrayContaining(viewerList.commands));
    expect(operatorList.commands).toEqual(
      expect.arrayContaining(['blockdev-add', 'blockdev-backup', 'block-job-cancel']),
    );
    for (const denied of ['quit', 'human-monitor-command', 'device_add', 'migrate', 'stop'])
      expect(operatorList.commands).not.toContain(denied);
    expect(operatorList.refusedDrivers).toEqual(expect.arrayContaining(['http', 'ssh', 'rbd']));
  });

  it("gives operators the target's latest audit lines, the same as the file's, and viewers none (GET /api/targets/NAME/audit)", async () => {
    const read = (target: string, token?: string) =>
      fetch(`${proxy.origin}/api/targets/${target}/audit`, {
        headers: token ? { Authorization: `Bearer ${token}` } : {},
      });
    expect((await read('vm')).status).toBe(401);
    expect((await read('vm', proxy.viewerToken)).status).toBe(403);
    expect((await read('nope', proxy.token)).status).toBe(404);

    const operator = await WsQmp.open(proxy, 'vm');
    const added = await operator.send({
      execute: 'blockdev-add',
      arguments: { driver: 'null-co', 'node-name': 'audited-in-page', size: 1 << 20 },
      id: 'a',
    });
    expect(added).toMatchObject({ return: {} });
    const refused = await operator.send({ execute: 'quit', id: 'q' });
    expect(refused).toMatchObject({ error: { class: 'BlockscopeDenied' } });
    operator.close();

    const response = await read('vm', proxy.token);
    expect(response.status).toBe(200);
    const { entries, onDisk } = (await response.json()) as {
      entries: { command: string; outcome: string; arguments?: unknown }[];
      onDisk: boolean;
    };
    expect(onDisk).toBe(true);
    expect(entries.slice(-2)).toMatchObject([
      { command: 'blockdev-add', outcome: 'ok', arguments: { 'node-name': 'audited-in-page' } },
      { command: 'quit', outcome: 'refused' },
    ]);
    // The same lines as the file's last two for this target.
    const fromFile = readFileSync(auditPath, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { target: string | null })
      .filter((l) => l.target === 'vm');
    expect(entries.slice(-2)).toEqual(fromFile.slice(-2));
  });
});
