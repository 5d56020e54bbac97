import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  Authenticator,
  defaultTokenFile,
  generateToken,
  hasTokenInQuery,
  HostCheck,
  loadOrCreateToken,
} from './auth.ts';

const dir = mkdtempSync(join(tmpdir(), 'blockscope-auth-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const request = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

describe('tokens', () => {
  it('generates 256-bit tokens as 43 base64url characters', () => {
    const token = generateToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(generateToken()).not.toBe(token);
  });

  it('creates a missing token file with mode 0600 and reads it back unchanged', () => {
    const file = join(dir, 'nested', 'token');
    const token = loadOrCreateToken(file, '--token-file');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toBe(token);
    expect(loadOrCreateToken(file, '--token-file')).toBe(token);
  });

  it('refuses a token file that holds something too short to be a secret', () => {
    const file = join(dir, 'weak');
    writeFileSync(file, 'hunter2\n');
    expect(() => loadOrCreateToken(file, '--token-file')).toThrow(/at least 32 characters/);
  });

  it('keeps the default token under XDG_CONFIG_HOME', () => {
    expect(defaultTokenFile({ XDG_CONFIG_HOME: '/cfg' })).toBe('/cfg/blockscope/token');
  });

  it('maps bearer tokens to roles and refuses wrong ones of any length', () => {
    const auth = new Authenticator('o'.repeat(43), 'v'.repeat(43));
    const role = (header: string) => auth.authenticate(request({ authorization: header }))?.role;
    expect(role(`Bearer ${'o'.repeat(43)}`)).toBe('operator');
    expect(role(`Bearer ${'v'.repeat(43)}`)).toBe('viewer');
    expect(role(`Bearer ${'o'.repeat(42)}`)).toBeUndefined();
    expect(role('Bearer x')).toBeUndefined();
    expect(role(`Basic ${'o'.repeat(43)}`)).toBeUndefined();
  });

  it('issues cookies that verify, and refuses tampered or foreign ones', () => {
    const auth = new Authenticator('o'.repeat(43));
    const header = auth.issueCookie('operator', false);
    expect(header).toMatch(/; HttpOnly; SameSite=Strict; Path=\//);
    expect(header).not.toContain('Secure');
    expect(auth.issueCookie('viewer', true)).toMatch(/; Secure$/);
    const value = header.split(';')[0]!.split('=')[1]!;
    expect(auth.roleForCookie(value)).toBe('operator');
    expect(auth.roleForCookie(value.replace('operator', 'viewer'))).toBeNull();
    expect(new Authenticator('p'.repeat(43)).roleForCookie(value)).toBeNull();
    const cookie = { cookie: `other=1; blockscope_session=${value}` };
    expect(auth.authenticate(request(cookie))).toEqual({ role: 'operator', via: 'cookie' });
    // A wrong bearer token is not rescued by a valid cookie.
    expect(auth.authenticate(request({ ...cookie, authorization: 'Bearer nope' }))).toBeNull();
  });

  it('spots credentials in a URL query', () => {
    expect(hasTokenInQuery('/api/qmp/vm?token=abc')).toBe(true);
    expect(hasTokenInQuery('/?access_token=abc')).toBe(true);
    expect(hasTokenInQuery('/api/qmp/vm')).toBe(false);
    expect(hasTokenInQuery('/#token=abc')).toBe(false);
  });
});

describe('HostCheck', () => {
  it('accepts the listen address and loopback names with the exact port only', () => {
    const check = new HostCheck('127.0.0.1', 7780, 'http');
    const host = (value: string) => check.hostAllowed(request({ host: value }));
    expect(host('127.0.0.1:7780')).toBe(true);
    expect(host('localhost:7780')).toBe(true);
    expect(host('LOCALHOST:7780')).toBe(true);
    expect(host('[::1]:7780')).toBe(true);
    expect(host('127.0.0.1:7781')).toBe(false);
    expect(host('127.0.0.1')).toBe(false);
    expect(host('evil.example:7780')).toBe(false);
    expect(host('localhost.:7780')).toBe(false);
    expect(check.originAllowed('http://127.0.0.1:7780')).toBe(true);
    expect(check.originAllowed('https://127.0.0.1:7780')).toBe(false);
    expect(check.originAllowed('http://127.0.0.1:7781')).toBe(false);
    expect(check.originAllowed('null')).toBe(false);
  });

  it('adds --allow-host names', () => {
    const check = new HostCheck('10.0.0.5', 443, 'https', ['dash.example', 'alt.example:8443']);
    expect(check.hostAllowed(request({ host: 'dash.example:443' }))).toBe(true);
    expect(check.hostAllowed(request({ host: 'alt.example:8443' }))).toBe(true);
    expect(check.hostAllowed(request({ host: 'localhost:443' }))).toBe(false);
    expect(check.originAllowed('https://dash.example:443')).toBe(true);
  });
});
