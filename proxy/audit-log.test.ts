import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AuditLog, auditOutcome, RECENT_PER_TARGET, redact } from './audit-log.ts';

const dir = mkdtempSync(join(tmpdir(), 'blockscope-audit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('audit log', () => {
  it("keeps each target's latest lines in memory, redacted, with or without a file", () => {
    const log = new AuditLog();
    const base = { role: 'operator', peer: '127.0.0.1:1', durationMs: 1, outcome: 'ok' as const };
    for (let i = 0; i < RECENT_PER_TARGET + 5; i++) {
      log.write({ ...base, target: 'a', command: 'qom-set', arguments: { n: i } });
    }
    log.write({ ...base, target: 'b', command: 'object-add', arguments: { password: 'p' } });
    log.write({ ...base, target: null, command: null });
    const a = log.recent('a');
    expect(a).toHaveLength(RECENT_PER_TARGET);
    expect(a[0]).toMatchObject({ arguments: { n: 5 } });
    expect(a.at(-1)).toMatchObject({ arguments: { n: RECENT_PER_TARGET + 4 } });
    expect(log.recent('b')).toMatchObject([{ arguments: { password: '***' } }]);
    expect(log.recent('b')[0]?.time).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(log.recent('c')).toEqual([]);
  });

  it('redacts secret-looking arguments at any depth', () => {
    expect(
      redact({
        'node-name': 'n',
        'key-secret': 'sec0',
        server: { password: 'p', host: 'h' },
        list: [{ passphrase: 'x', token: 't' }],
      }),
    ).toEqual({
      'node-name': 'n',
      'key-secret': '***',
      server: { password: '***', host: 'h' },
      list: [{ passphrase: '***', token: '***' }],
    });
  });

  it('appends one JSON line per entry to a 0600 file', () => {
    const path = join(dir, 'sub', 'audit.jsonl');
    const log = new AuditLog(path);
    const base = { role: 'operator', peer: '127.0.0.1:1', target: 'vm', durationMs: 3 };
    log.write({ ...base, command: 'blockdev-del', arguments: { 'node-name': 'a' }, outcome: 'ok' });
    log.write({ ...base, command: 'quit', outcome: 'refused', error: { class: 'X', desc: 'no' } });
    log.close();
    const lines = readFileSync(path, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toMatchObject([
      { command: 'blockdev-del', outcome: 'ok', arguments: { 'node-name': 'a' } },
      { command: 'quit', outcome: 'refused', error: { class: 'X' } },
    ]);
    expect(lines[0].time).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('names outcomes by what the caller can conclude', () => {
    const error = (c: string) => ({ kind: 'error' as const, error: { class: c, desc: '' } });
    expect(auditOutcome({ kind: 'return', value: {} })).toBe('ok');
    expect(auditOutcome(error('GenericError'))).toBe('error');
    expect(auditOutcome(error('BlockscopeOutcomeUnknown'))).toBe('outcome-unknown');
    expect(auditOutcome(error('BlockscopeTimeout'))).toBe('timeout');
    expect(auditOutcome(error('BlockscopeDisconnected'))).toBe('not-sent');
  });

  it('writes the first refusal of a turn at once and the rest of the turn together, in order', async () => {
    const path = join(dir, 'burst.jsonl');
    const log = new AuditLog(path);
    const refusal = (n: number) => ({
      role: null,
      peer: `127.0.0.1:${n}`,
      target: null,
      command: null,
      outcome: 'refused' as const,
      error: { class: 'HTTP 401', desc: 'no token' },
      durationMs: 0,
    });
    const peers = () =>
      readFileSync(path, 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { peer: string }).peer);
    log.writeSoon(refusal(1));
    expect(peers()).toEqual(['127.0.0.1:1']);
    log.writeSoon(refusal(2));
    log.writeSoon(refusal(3));
    expect(peers()).toEqual(['127.0.0.1:1']);
    // A command line in the same turn writes the waiting refusals before itself.
    log.write({ ...refusal(4), role: 'operator', command: 'quit' });
    expect(peers()).toEqual(['127.0.0.1:1', '127.0.0.1:2', '127.0.0.1:3', '127.0.0.1:4']);
    log.writeSoon(refusal(5));
    await new Promise((resolve) => setImmediate(resolve));
    expect(peers()).toHaveLength(5);
    log.writeSoon(refusal(6)); // a new turn: at once again
    expect(peers().at(-1)).toBe('127.0.0.1:6');
    log.close();
  });
});
