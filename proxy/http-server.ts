// HTTP side of the proxy: the API routes and the built SPA (the WebSocket upgrade is in
// ws-endpoint.ts). Static files come only from the build's manifest: no listings, no redirects.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import { hasTokenInQuery, type Authenticator, type HostCheck } from './auth.ts';
import type { FileLookupAnswer } from './file-lookup.ts';
import { serveMetrics, type MetricsText } from './metrics.ts';
import { serveStaticFile } from './static-files.ts';
import type { StaticSite } from './static-manifest.ts';
import type { SourceInfo, TargetInfo } from './target-set.ts';
import type { Role } from './policy.ts';

const SECURITY_HEADERS = {
  'Content-Security-Policy':
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; connect-src 'self'; worker-src 'self' blob:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-store',
    ...SECURITY_HEADERS,
  });
  res.end(JSON.stringify(body));
}

export interface ApiContext {
  auth: Authenticator;
  hostCheck: () => HostCheck;
  /** The state of each target, for GET /api/targets. */
  targets: () => TargetInfo[];
  /** Where discovered targets come from (each --libvirt URI) and whether it is reachable. */
  targetSources?: () => SourceInfo[];
  /** The built SPA's files (from its manifest); undefined serves 404 for everything outside /api. */
  staticSite?: StaticSite;
  secure: boolean;
  /** Field docs for a target's forms (proxy/field-docs.ts), for GET /api/qapi-docs/NAME. */
  fieldDocs?: (target: string) => Promise<{ status: number; body: string }>;
  /** What is at a path inside --allow-path (proxy/file-lookup.ts), for GET /api/targets/NAME/file. */
  lookUpFile?: (target: string, path: string) => Promise<FileLookupAnswer | null>;
  /** The --allow-path directories as real paths, told to signed-in pages by GET /api/session. */
  allowDirs?: readonly string[];
  /** What this role may send to a target, for GET /api/targets/NAME/commands; null: unknown target. */
  commandsFor?: (target: string, role: Role) => CommandList | null;
  /** A target's latest audit lines, for GET /api/targets/NAME/audit; null: unknown target. */
  auditFor?: (target: string) => { entries: readonly unknown[]; onDisk: boolean } | null;
  /** The Prometheus text for GET /metrics (proxy/metrics.ts). */
  metrics?: () => Promise<MetricsText>;
  /** The fleet overview (proxy/fleet.ts), for GET /api/fleet and GET /api/fleet/events. */
  fleet?: { rows(): unknown[]; onChange(listener: () => void): () => void };
  /** Called for requests refused by the Host, token-in-URL or authentication checks. */
  onRefused?: (req: IncomingMessage, status: number, reason: string) => void;
}

function refuse(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  reason: string,
): void {
  ctx.onRefused?.(req, status, reason);
  sendJson(res, status, { error: reason });
}

/** The HTTP routes. Every request passes the Host check; everything but health needs auth. */
export function createRequestHandler(ctx: ApiContext) {
  const route = routes(ctx);
  // A malformed URL (bad percent-encoding, an unparsable authority) is the client's problem:
  // answer 400 instead of letting the exception take the server down.
  return (req: IncomingMessage, res: ServerResponse): void => {
    try {
      route(req, res);
    } catch {
      if (!res.headersSent) sendJson(res, 400, { error: 'bad request' });
      else res.destroy();
    }
  };
}

function routes(ctx: ApiContext) {
  const streams = { open: 0 };
  return (req: IncomingMessage, res: ServerResponse): void => {
    if (!ctx.hostCheck().hostAllowed(req)) {
      return refuse(ctx, req, res, 421, 'unexpected Host header');
    }
    if (hasTokenInQuery(req.url)) {
      return refuse(ctx, req, res, 400, 'credentials are not accepted in a URL query');
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/api/health') return sendJson(res, 200, { ok: true });
    if (url.pathname === '/api/session') return session(ctx, req, res);
    if (url.pathname === '/api/targets') {
      if (req.method !== 'GET') return sendJson(res, 405, { error: 'method not allowed' });
      if (!ctx.auth.authenticate(req)) return refuse(ctx, req, res, 401, 'not authenticated');
      return sendJson(res, 200, ctx.targets());
    }
    if (url.pathname === '/api/target-sources') {
      if (req.method !== 'GET') return sendJson(res, 405, { error: 'method not allowed' });
      if (!ctx.auth.authenticate(req)) return refuse(ctx, req, res, 401, 'not authenticated');
      return sendJson(res, 200, ctx.targetSources?.() ?? []);
    }
    if (url.pathname === '/api/fleet' || url.pathname === '/api/fleet/events') {
      if (req.method !== 'GET') return sendJson(res, 405, { error: 'method not allowed' });
      if (!ctx.auth.authenticate(req)) return refuse(ctx, req, res, 401, 'not authenticated');
      if (!ctx.fleet) return sendJson(res, 404, { error: 'not found' });
      if (url.pathname === '/api/fleet') return sendJson(res, 200, ctx.fleet.rows());
      return fleetStream(ctx.fleet, streams, req, res);
    }
    if (url.pathname === '/metrics') {
      if (req.method !== 'GET') return sendJson(res, 405, { error: 'method not allowed' });
      if (!ctx.auth.authenticate(req)) return refuse(ctx, req, res, 401, 'not authenticated');
      return serveMetrics(ctx.metrics, res, SECURITY_HEADERS);
    }
    if (url.pathname.startsWith('/api/qapi-docs/')) return fieldDocs(ctx, req, res, url.pathname);
    const commands = COMMANDS_ROUTE.exec(url.pathname);
    if (commands?.[1]) return commandList(ctx, req, res, decodeURIComponent(commands[1]));
    const audit = AUDIT_ROUTE.exec(url.pathname);
    if (audit?.[1]) return auditLines(ctx, req, res, decodeURIComponent(audit[1]));
    const file = FILE_ROUTE.exec(url.pathname);
    if (file?.[1]) return fileLookup(ctx, req, res, decodeURIComponent(file[1]), url.searchParams);
    if (url.pathname.startsWith('/api/')) return sendJson(res, 404, { error: 'not found' });
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, SECURITY_HEADERS).end();
      return;
    }
    if (!ctx.staticSite) {
      res.writeHead(404, { 'Content-Type': 'text/plain', ...SECURITY_HEADERS }).end('not built\n');
      return;
    }
    serveStaticFile(ctx.staticSite, req, res, SECURITY_HEADERS);
  };
}

/** Open fleet streams at once: each holds a connection, so they are bounded like everything else. */
export const MAX_FLEET_STREAMS = 64;

/**
 * GET /api/fleet/events: server-sent events, each the whole fleet (the same rows as GET
 * /api/fleet), at once and then after every change, at most every 250 ms: a page with 200 targets
 * gets one message for a burst of changes, not one per target.
 */
function fleetStream(
  fleet: NonNullable<ApiContext['fleet']>,
  streams: { open: number },
  req: IncomingMessage,
  res: ServerResponse,
): void {
  if (streams.open >= MAX_FLEET_STREAMS) {
    return sendJson(res, 503, { error: 'too many fleet streams open' });
  }
  streams.open++;
  res.writeHead(200, {
    'Content-Type': 'text/event-stream',
    'Cache-Control': 'no-store',
    ...SECURITY_HEADERS,
  });
  req.socket.setTimeout(0);
  let timer: ReturnType<typeof setTimeout> | null = null;
  let last = 0;
  const send = () => {
    timer = null;
    last = Date.now();
    res.write(`data: ${JSON.stringify(fleet.rows())}\n\n`);
  };
  const off = fleet.onChange(() => {
    if (timer) return;
    timer = setTimeout(send, Math.max(0, 250 - (Date.now() - last)));
  });
  // a comment now and then: proxies and browsers keep an idle stream open
  const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
  send();
  res.on('close', () => {
    streams.open--;
    off();
    clearInterval(keepAlive);
    if (timer) clearTimeout(timer);
  });
}

const gzipAsync = promisify(gzipCallback);

const FILE_ROUTE = /^\/api\/targets\/([^/]+)\/file$/;
export type CommandList =
  | { status: 200; body: { commands: string[]; refusedDrivers: string[] } }
  | { status: 503; body: { error: string } };

const COMMANDS_ROUTE = /^\/api\/targets\/([^/]+)\/commands$/;

/**
 * GET /api/targets/NAME/commands: the live schema's commands this session's role may send to the
 * target, and the block drivers refused whatever the role, so the page offers only what can run.
 */
function commandList(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, target: string) {
  if (req.method !== 'GET') return sendJson(res, 405, { error: 'method not allowed' });
  const auth = ctx.auth.authenticate(req);
  if (!auth) return refuse(ctx, req, res, 401, 'not authenticated');
  const answer = ctx.commandsFor?.(target, auth.role);
  if (!answer) return sendJson(res, 404, { error: 'unknown target' });
  sendJson(res, answer.status, answer.body);
}

const AUDIT_ROUTE = /^\/api\/targets\/([^/]+)\/audit$/;

/**
 * GET /api/targets/NAME/audit: the target's latest audit lines (who changed what, and what was
 * refused), for operators only: the lines name peers and the arguments of every operator.
 */
function auditLines(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, target: string) {
  if (req.method !== 'GET') return sendJson(res, 405, { error: 'method not allowed' });
  const auth = ctx.auth.authenticate(req);
  if (!auth) return refuse(ctx, req, res, 401, 'not authenticated');
  if (auth.role !== 'operator') {
    return refuse(ctx, req, res, 403, 'the audit log is for operator sessions');
  }
  const answer = ctx.auditFor?.(target);
  if (!answer) return sendJson(res, 404, { error: 'unknown target' });
  sendJson(res, 200, answer);
}

/**
 * GET /api/targets/NAME/file?path=ABS: what is at the path, for either role. A path outside
 * --allow-path is a refused request (403, audited); reads that are answered are not logged.
 */
function fileLookup(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  target: string,
  query: URLSearchParams,
) {
  if (req.method !== 'GET') return sendJson(res, 405, { error: 'method not allowed' });
  if (!ctx.auth.authenticate(req)) return refuse(ctx, req, res, 401, 'not authenticated');
  const paths = query.getAll('path');
  const [path] = paths;
  if (paths.length !== 1 || !path) {
    return sendJson(res, 400, { error: 'give exactly one absolute path as ?path=' });
  }
  if (!ctx.lookUpFile) return sendJson(res, 404, { error: 'not found' });
  ctx.lookUpFile(target, path).then(
    (answer) => {
      if (!answer) return sendJson(res, 404, { error: 'unknown target' });
      if (answer.status === 403 && 'error' in answer.body) {
        return refuse(ctx, req, res, 403, answer.body.error);
      }
      sendJson(res, answer.status, answer.body);
    },
    () => sendJson(res, 500, { error: 'the look-up failed' }),
  );
}

/** GET /api/qapi-docs/NAME: the doc model for one target's forms, as proxy/field-docs.ts built it. */
function fieldDocs(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, path: string) {
  if (req.method !== 'GET') return sendJson(res, 405, { error: 'method not allowed' });
  if (!ctx.auth.authenticate(req)) return refuse(ctx, req, res, 401, 'not authenticated');
  const target = decodeURIComponent(path.slice('/api/qapi-docs/'.length));
  if (!ctx.fieldDocs) return sendJson(res, 404, { error: 'no field documentation' });
  // A manual is about 500 KB of JSON and compresses five-fold; zlib works off the event loop.
  const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  ctx
    .fieldDocs(target)
    .then(async ({ status, body }) => ({
      status,
      payload: gzip ? await gzipAsync(body) : body,
    }))
    .then(
      ({ status, payload }) => {
        res.writeHead(status, {
          'Content-Type': 'application/json',
          'Cache-Control': 'no-store',
          Vary: 'Accept-Encoding',
          ...(gzip ? { 'Content-Encoding': 'gzip' } : {}),
          ...SECURITY_HEADERS,
        });
        res.end(payload);
      },
      () => {
        if (!res.headersSent) sendJson(res, 500, { error: 'cannot read the field documentation' });
        else res.destroy();
      },
    );
}

/** POST trades a bearer token for the session cookie; GET tells the page its role and --allow-path. */
function session(ctx: ApiContext, req: IncomingMessage, res: ServerResponse): void {
  const origin = req.headers.origin;
  if (origin !== undefined && !ctx.hostCheck().originAllowed(origin)) {
    return refuse(ctx, req, res, 403, 'foreign Origin');
  }
  if (req.method === 'POST') {
    const auth = ctx.auth.authenticate(req);
    if (!auth || auth.via !== 'bearer')
      return refuse(ctx, req, res, 401, 'a bearer token is required');
    res.setHeader('Set-Cookie', ctx.auth.issueCookie(auth.role, ctx.secure));
    return sendJson(res, 200, { role: auth.role });
  }
  if (req.method === 'GET') {
    const auth = ctx.auth.authenticate(req);
    if (!auth) return refuse(ctx, req, res, 401, 'not authenticated');
    // Where files may be named: forms offer defaults there and say so beside a path field.
    return sendJson(res, 200, { role: auth.role, allowPaths: ctx.allowDirs ?? [] });
  }
  sendJson(res, 405, { error: 'method not allowed' });
}

/** Listens, turning "address in use" into a message that says what to do. */
export function listen(
  server: Server | HttpsServer,
  host: string,
  port: number,
): Promise<{ host: string; port: number }> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        reject(
          new Error(
            `${host}:${port} is already in use; pick another address with --listen HOST:PORT`,
          ),
        );
      } else if (error.code === 'EACCES') {
        reject(
          new Error(`not allowed to listen on ${host}:${port}; pick another port with --listen`),
        );
      } else {
        reject(error);
      }
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : port;
      resolve({ host, port: bound });
    });
  });
}
