// Tokens, session cookies and the Host/Origin checks.
// A token is 256 random bits (43 base64url characters), stored mode 0600, compared in constant
// time over SHA-256 digests (equal lengths, no length leak). The page trades its `#token=`
// fragment once for a cookie: an HMAC over role and issue time keyed by the tokens, so cookies
// survive a proxy restart and die when a token is replaced.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { dirname, join } from 'node:path';
import { homedir } from 'node:os';
import { ConfigError } from './config.ts';
import type { Role } from './policy.ts';

export const COOKIE_NAME = 'blockscope_session';
const COOKIE_MAX_AGE_S = 7 * 24 * 3600;

export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Where `serve` keeps its operator token when no --token-file is given. */
export function defaultTokenFile(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'blockscope', 'token');
}

/** Reads a token file, or creates it (256 bits, mode 0600) when it does not exist. */
export function loadOrCreateToken(file: string, flag: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new ConfigError(`${flag} ${file}: ${(error as Error).message}`);
    }
    const token = generateToken();
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, token + '\n', { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
    return token;
  }
  const token = text.trim();
  if (token.length < 32 || /\s/.test(token)) {
    throw new ConfigError(`${flag} ${file}: a token must be one line of at least 32 characters`);
  }
  return token;
}

const digest = (value: string) => createHash('sha256').update(value).digest();

function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

export class Authenticator {
  private readonly cookieKey: Buffer;

  constructor(
    readonly operatorToken: string,
    readonly viewerToken?: string,
  ) {
    this.cookieKey = createHash('sha256')
      .update(`blockscope-cookie\0${operatorToken}\0${viewerToken ?? ''}`)
      .digest();
  }

  roleForToken(token: string): Role | null {
    // Both comparisons always run, so timing does not tell which token was close.
    const operator = sameSecret(token, this.operatorToken);
    const viewer = this.viewerToken !== undefined && sameSecret(token, this.viewerToken);
    return operator ? 'operator' : viewer ? 'viewer' : null;
  }

  issueCookie(role: Role, secure: boolean): string {
    const body = `${role}.${Math.floor(Date.now() / 1000)}.${randomBytes(12).toString('base64url')}`;
    const value = `${body}.${this.sign(body)}`;
    return `${COOKIE_NAME}=${value}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${COOKIE_MAX_AGE_S}${secure ? '; Secure' : ''}`;
  }

  roleForCookie(value: string): Role | null {
    const cut = value.lastIndexOf('.');
    if (cut < 0) return null;
    const body = value.slice(0, cut);
    if (!sameSecret(value.slice(cut + 1), this.sign(body))) return null;
    const [role, issued] = body.split('.');
    if (role !== 'operator' && role !== 'viewer') return null;
    const age = Date.now() / 1000 - Number(issued);
    return age >= -60 && age <= COOKIE_MAX_AGE_S ? role : null;
  }

  /** The request's role from `Authorization: Bearer` or the session cookie, and which one it was. */
  authenticate(req: IncomingMessage): { role: Role; via: 'bearer' | 'cookie' } | null {
    const header = req.headers.authorization;
    if (header !== undefined) {
      const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(header);
      const role = match?.[1] ? this.roleForToken(match[1]) : null;
      return role ? { role, via: 'bearer' } : null; // a wrong token is not rescued by a cookie
    }
    const cookie = readCookie(req.headers.cookie, COOKIE_NAME);
    const role = cookie ? this.roleForCookie(cookie) : null;
    return role ? { role, via: 'cookie' } : null;
  }

  /**
   * A session cookie is sent, valid or not: a page that signed in once and whose session has since
   * ended (expired, or this server started with other tokens).
   */
  hasSessionCookie(req: IncomingMessage): boolean {
    return (
      req.headers.authorization === undefined &&
      readCookie(req.headers.cookie, COOKIE_NAME) !== undefined
    );
  }

  private sign(body: string): string {
    return createHmac('sha256', this.cookieKey).update(body).digest('base64url');
  }
}

function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** A token-like parameter in the query string: refused, so tokens never sit in URLs and logs. */
export function hasTokenInQuery(url: string | undefined): boolean {
  const query = new URL(url ?? '/', 'http://x').searchParams;
  return [...query.keys()].some((key) => /token|auth|session|key/i.test(key));
}

/** Exact Host and Origin allowlists for the address the server listens on (DNS rebinding, CSWSH). */
export class HostCheck {
  readonly hosts: ReadonlySet<string>;
  readonly origins: ReadonlySet<string>;

  constructor(
    listenHost: string,
    port: number,
    scheme: 'http' | 'https',
    extraHosts: string[] = [],
  ) {
    const names = new Set<string>([listenHost.includes(':') ? `[${listenHost}]` : listenHost]);
    if (isLoopback(listenHost)) {
      names.add('127.0.0.1');
      names.add('localhost');
      names.add('[::1]');
    }
    const hosts = new Set<string>();
    for (const name of names) hosts.add(`${name}:${port}`.toLowerCase());
    for (const extra of extraHosts) {
      hosts.add((/:\d+$/.test(extra) ? extra : `${extra}:${port}`).toLowerCase());
    }
    this.hosts = hosts;
    this.origins = new Set([...hosts].map((host) => `${scheme}://${host}`));
  }

  hostAllowed(req: IncomingMessage): boolean {
    const host = req.headers.host;
    return typeof host === 'string' && this.hosts.has(host.toLowerCase());
  }

  originAllowed(origin: string): boolean {
    return this.origins.has(origin.toLowerCase());
  }
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
