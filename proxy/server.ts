// Puts the proxy together: tokens, policy, audit log, one upstream + multiplexer per target, the
// HTTP routes and the WebSocket endpoint, listening on the configured address.
// `startProxy` is what the CLI runs and what integration tests start in-process.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type IncomingMessage } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { AuditLog } from './audit-log.ts';
import {
  Authenticator,
  defaultTokenFile,
  generateToken,
  HostCheck,
  loadOrCreateToken,
} from './auth.ts';
import { checkListenSafety, ConfigError, type ServerConfig } from './config.ts';
import { createFieldDocs } from './field-docs.ts';
import { lookUpFile } from './file-lookup.ts';
import { readQapiDocFiles } from './qapi-docs-files.ts';
import { readManualOptions } from './qmp-manual/manual-options.ts';
import { createRequestHandler, listen } from './http-server.ts';
import { loadStaticSite } from './static-manifest.ts';
import { LibvirtSource } from './libvirt/libvirt-source.ts';
import { parseLibvirtUris } from './libvirt/libvirt-uris.ts';
import { createMetrics } from './metrics.ts';
import { Multiplexer, proxyEvent } from './multiplexer.ts';
import {
  DEFAULT_PENDING_LIMITS,
  limitPendingConnections,
  type PendingLimits,
} from './pending-connections.ts';
import { Policy } from './policy.ts';
import { DEFAULT_SESSION_LIMITS, Session, type SessionLimits } from './session.ts';
import { DEFAULT_UPSTREAM_TUNING, Upstream, type UpstreamTuning } from './upstream.ts';
import { TargetSet, type TargetChange } from './target-set.ts';
import { createWsEndpoint, peerOf } from './ws-endpoint.ts';
import { CloseCode } from '../src/qmp/close-codes.ts';
import { ProxyEvent, type JsonObject } from '../src/qmp/wire.ts';

/** Commands the proxy itself may have queued for a target at once (the job poller's two reads). */
const PROXY_OWN_COMMANDS = 8;

export interface ProxyOptions {
  /** The built SPA; without it only the API is served. */
  distDir?: string;
  /** Token handling when no --token-file is given: 'default-file' (serve) or 'ephemeral' (demo, tests). */
  tokenStore?: 'default-file' | 'ephemeral';
  upstream?: Partial<UpstreamTuning>;
  session?: Partial<SessionLimits>;
  jobPollIntervalMs?: number;
  /** Cap and deadline for connections that have not sent a request head yet. */
  pending?: Partial<PendingLimits>;
  /** How long a target that went away stays listed as gone. */
  goneRetentionMs?: number;
  /** Pauses between attempts to reach a libvirt connection, and its periodic list. */
  libvirt?: { minBackoffMs?: number; maxBackoffMs?: number; resyncMs?: number };
  /** Where the server's notes go (a libvirt host unreachable, a guest not watched). */
  log?: (line: string) => void;
}

export interface ProxyHandle {
  host: string;
  port: number;
  origin: string;
  /** The page URL with the operator token in its fragment. */
  url: string;
  token: string;
  viewerToken?: string;
  multiplexers: ReadonlyMap<string, Multiplexer>;
  stop(): Promise<void>;
}

function checkAllowPaths(paths: string[]): void {
  for (const dir of paths) {
    let isDir = false;
    try {
      isDir = statSync(dir).isDirectory();
    } catch {
      /* reported below */
    }
    if (!isDir) throw new ConfigError(`--allow-path ${dir}: not an existing directory`);
  }
}

function readPem(file: string, flag: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new ConfigError(`${flag} ${file}: ${(error as Error).message}`);
  }
}

export async function startProxy(
  config: ServerConfig,
  options: ProxyOptions = {},
): Promise<ProxyHandle> {
  checkListenSafety(config.listen.host, config.tls !== undefined);
  checkAllowPaths(config.allowPaths);
  const libvirtConnections = parseLibvirtUris(config.libvirt ?? []);
  const tokenFile =
    config.tokenFile ?? (options.tokenStore === 'default-file' ? defaultTokenFile() : undefined);
  const token = tokenFile ? loadOrCreateToken(tokenFile, '--token-file') : generateToken();
  const viewerToken = config.viewerTokenFile
    ? loadOrCreateToken(config.viewerTokenFile, '--viewer-token-file')
    : undefined;
  if (viewerToken === token)
    throw new ConfigError('the viewer token must differ from the operator token');
  const auth = new Authenticator(token, viewerToken);
  const policy = new Policy({
    allowPaths: config.allowPaths,
    allowCommands: config.allowCommands ?? [],
    allowRemoteNbd: config.allowRemoteNbd ?? false,
  });
  const audit = new AuditLog(config.auditLog);
  const limits = { ...DEFAULT_SESSION_LIMITS, ...options.session };
  // Room in each target's queue for a full share from every session it accepts (a command checked
  // against QEMU first has one command queued at a time), plus the job poller's reads: sessions
  // wait through back-pressure and the queue's own bound is never reached.
  const tuning = {
    ...DEFAULT_UPSTREAM_TUNING,
    maxQueued: limits.maxSessions * limits.maxPending + PROXY_OWN_COMMANDS,
    ...options.upstream,
  };

  const targetSet = new TargetSet({
    create: (spec) =>
      new Multiplexer(
        new Upstream(spec.name, spec.address, tuning, spec.traits),
        options.jobPollIntervalMs,
      ),
    ...(options.goneRetentionMs !== undefined ? { goneRetentionMs: options.goneRetentionMs } : {}),
  });
  for (const target of config.targets) targetSet.add(target);
  const { multiplexers } = targetSet;
  // Every session hears that the list changed, whichever target it watches.
  targetSet.onChange((change: TargetChange) => {
    const event = proxyEvent(ProxyEvent.Targets, change as JsonObject);
    for (const mux of targetSet.all()) mux.announce(event);
  });

  const scheme = config.tls ? 'https' : 'http';
  let hostCheck: HostCheck | null = null;
  const currentHostCheck = () => hostCheck!;
  const onRefused = (req: IncomingMessage, status: number, reason: string) => {
    audit.writeSoon({
      role: null,
      peer: peerOf(req),
      target: null,
      command: null,
      outcome: 'refused',
      error: {
        class: `HTTP ${status}`,
        desc: `${req.method ?? ''} ${(req.url ?? '').split('?')[0]}: ${reason}`,
      },
      durationMs: 0,
    });
  };
  const docs = createFieldDocs({
    ...(config.qapiDocs
      ? { qapiDocs: { dir: config.qapiDocs, files: await readQapiDocFiles(config.qapiDocs) } }
      : {}),
    manuals: await readManualOptions(config.qmpManuals ?? []),
  });
  const handler = createRequestHandler({
    auth,
    hostCheck: currentHostCheck,
    targets: () => targetSet.infos(),
    targetSources: () => targetSet.sourceInfos(),
    ...(options.distDir ? { staticSite: loadStaticSite(options.distDir) } : {}),
    fieldDocs: (name) => {
      const upstream = multiplexers.get(name)?.upstream;
      if (!upstream)
        return Promise.resolve({ status: 404, body: JSON.stringify({ error: 'unknown target' }) });
      return docs(upstream.kind, upstream.version);
    },
    lookUpFile: (name, path) =>
      multiplexers.has(name) ? lookUpFile(path, policy.allowDirs) : Promise.resolve(null),
    secure: config.tls !== undefined,
    metrics: createMetrics(() => multiplexers.values()),
    onRefused,
  });
  const server = config.tls
    ? createHttpsServer(
        {
          cert: readPem(config.tls.cert, '--tls-cert'),
          key: readPem(config.tls.key, '--tls-key'),
          handshakeTimeout: 5_000,
        },
        handler,
      )
    : createServer(handler);
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.maxHeadersCount = 64;
  const pendingLimits = { ...DEFAULT_PENDING_LIMITS, ...options.pending };
  limitPendingConnections(server, config.tls !== undefined, pendingLimits, (peer, reason) =>
    audit.writeSoon({
      role: null,
      peer,
      target: null,
      command: null,
      outcome: 'refused',
      error: { class: 'connection dropped', desc: reason },
      durationMs: 0,
    }),
  );

  const endpoint = createWsEndpoint({
    auth,
    hostCheck: currentHostCheck,
    hasTarget: (name) => multiplexers.has(name),
    goneReason: (name) => targetSet.goneReason(name),
    isFull: (name) => (multiplexers.get(name)?.sessionCount ?? 0) >= limits.maxSessions,
    onRefused,
    onSession: (ws, { target, role, peer }) => {
      const mux = multiplexers.get(target)!;
      const origin = targetSet.origin(target);
      new Session(ws, { target, role, peer, mux, origin, policy, audit, limits });
    },
  });
  server.on('upgrade', endpoint.handleUpgrade);

  const bound = await listen(server, config.listen.host, config.listen.port);
  hostCheck = new HostCheck(bound.host, bound.port, scheme, config.allowHosts);
  for (const mux of multiplexers.values()) mux.upstream.start();
  // Each libvirt connection adds its running guests as they are found (libvirt-source.ts).
  const staticNames = new Set(config.targets.map((t) => t.name));
  const log = options.log ?? ((line: string) => process.stderr.write(`blockscope: ${line}\n`));
  const socketDir =
    libvirtConnections.length > 0 ? mkdtempSync(join(tmpdir(), 'blockscope-libvirt-')) : null;
  const libvirtSources = libvirtConnections.map(
    (connection) =>
      new LibvirtSource({
        connection,
        targets: targetSet,
        socketDir: socketDir!,
        writable: config.libvirtAllowWrites ?? false,
        isStaticTarget: (name) => staticNames.has(name),
        log,
        ...options.libvirt,
      }),
  );
  for (const source of libvirtSources) source.start();
  const hostPart = bound.host.includes(':') ? `[${bound.host}]` : bound.host;
  const origin = `${scheme}://${hostPart}:${bound.port}`;

  let stopped: Promise<void> | null = null;
  return {
    host: bound.host,
    port: bound.port,
    origin,
    url: `${origin}/#token=${token}`,
    token,
    ...(viewerToken ? { viewerToken } : {}),
    multiplexers,
    stop() {
      stopped ??= (async () => {
        for (const ws of endpoint.wss.clients)
          ws.close(CloseCode.ServerShutdown, 'server shutting down');
        for (const source of libvirtSources) source.stop();
        targetSet.close();
        if (socketDir) rmSync(socketDir, { recursive: true, force: true });
        for (const ws of endpoint.wss.clients) ws.terminate();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        audit.close();
      })();
      return stopped;
    },
  };
}
