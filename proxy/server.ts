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
import { Fleet } from './fleet.ts';
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
import { SshTunnels } from './ssh-tunnel.ts';
import { TargetDirSource } from './target-dir.ts';
import { TargetSet, type TargetChange } from './target-set.ts';
import { createWsEndpoint, MAX_INBOUND_BYTES, peerOf } from './ws-endpoint.ts';
import { checkExposeDirs } from './expose-config.ts';
import { ExposedSockets } from './exposed-sockets.ts';
import { SocketTransport } from './socket-transport.ts';
import { WsTransport } from './ws-transport.ts';
import { logUpstreamChanges } from './upstream-log.ts';
import { REFUSED_DRIVERS } from './open-by-name.ts';
import { CloseCode } from '../src/qmp/close-codes.ts';
import { ProxyEvent, type JsonObject } from '../src/qmp/wire.ts';

/** Commands the proxy itself may have queued for a target at once (the job poller's two reads). */
const PROXY_OWN_COMMANDS = 8;

export interface ProxyOptions {
  /** The built SPA; without it only the API is served. */
  distDir?: string;
  /** Token handling when no --token-file is given: 'default-file' (serve) or 'ephemeral' (demo, tests). */
  tokenStore?: 'default-file' | 'ephemeral';
  /** Make a viewer token for this run when no --viewer-token-file is given (the demo). */
  ephemeralViewer?: boolean;
  upstream?: Partial<UpstreamTuning>;
  session?: Partial<SessionLimits>;
  jobPollIntervalMs?: number;
  /** Cap and deadline for connections that have not sent a request head yet. */
  pending?: Partial<PendingLimits>;
  /** How long a target that went away stays listed as gone. */
  goneRetentionMs?: number;
  /** Pauses between attempts to reach a libvirt connection, and its periodic list. */
  libvirt?: { minBackoffMs?: number; maxBackoffMs?: number; resyncMs?: number };
  /** How often each --target-dir is read in full, besides what fs.watch reports. */
  targetDirRescanMs?: number;
  /** Pauses before ssh is started again for an ssh:// target. */
  ssh?: { minRestartMs?: number; maxRestartMs?: number };
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
  /** The page's address with the viewer token, when there is one. */
  viewerUrl?: string;
  multiplexers: ReadonlyMap<string, Multiplexer>;
  /** The ssh process of an ssh:// target (tests cut the link with it). */
  sshPid(name: string): number | undefined;
  /** The plain QMP sockets served now (--expose). */
  exposedSockets(): string[];
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
  const exposeDirs = checkExposeDirs(
    config.expose ?? [],
    config.targets.flatMap(({ address }) => (address.type === 'unix' ? [address.path] : [])),
    config.targetDirs ?? [],
  );
  const tokenFile =
    config.tokenFile ?? (options.tokenStore === 'default-file' ? defaultTokenFile() : undefined);
  const token = tokenFile ? loadOrCreateToken(tokenFile, '--token-file') : generateToken();
  const viewerToken = config.viewerTokenFile
    ? loadOrCreateToken(config.viewerTokenFile, '--viewer-token-file')
    : options.ephemeralViewer
      ? generateToken()
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

  const log = options.log ?? ((line: string) => process.stderr.write(`blockscope: ${line}\n`));
  const sshTunnels = new SshTunnels(config.sshConfig, options.ssh);
  const targetSet = new TargetSet({
    create: (spec) => {
      const { address } = spec;
      const local = address.type === 'ssh' ? sshTunnels.localAddress(spec.name) : address;
      const upstream = new Upstream(spec.name, local, tuning, spec.traits);
      if (address.type === 'ssh') sshTunnels.add(spec.name, address, upstream);
      logUpstreamChanges(upstream, spec.name, log);
      return new Multiplexer(upstream, options.jobPollIntervalMs);
    },
    ...(options.goneRetentionMs !== undefined ? { goneRetentionMs: options.goneRetentionMs } : {}),
  });
  for (const target of config.targets) targetSet.add(target);
  const { multiplexers } = targetSet;
  // Every session hears that the list changed, whichever target it watches.
  targetSet.onChange((change: TargetChange) => {
    const event = proxyEvent(ProxyEvent.Targets, change as JsonObject);
    for (const mux of targetSet.all()) mux.announce(event);
  });

  const fleet = new Fleet(targetSet);
  // --expose: every target's plain QMP socket, a session like a WebSocket's for each client.
  const exposed = new ExposedSockets({
    dirs: exposeDirs,
    log,
    onClient: (socket, { target, role, peer }) => {
      const mux = multiplexers.get(target);
      if (!mux || mux.sessionCount >= limits.maxSessions) {
        audit.write({
          role,
          peer,
          target,
          command: null,
          outcome: 'refused',
          error: { class: 'connection refused', desc: 'too many sessions for this target' },
          durationMs: 0,
        });
        socket.destroy();
        return;
      }
      const origin = targetSet.origin(target);
      const transport = new SocketTransport(socket, MAX_INBOUND_BYTES);
      new Session(transport, { target, role, peer, mux, origin, policy, audit, limits });
    },
  });
  if (exposeDirs.length > 0) {
    try {
      for (const target of config.targets) await exposed.open(target.name);
    } catch (error) {
      exposed.close();
      targetSet.close();
      throw new ConfigError(`--expose: ${(error as Error).message}`);
    }
    targetSet.onChange((change: TargetChange) => {
      for (const name of change.added ?? []) exposed.add(name);
      for (const name of change.gone ?? []) exposed.remove(name);
    });
  }

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
    allowDirs: policy.allowDirs,
    commandsFor: (name, role) => {
      const upstream = multiplexers.get(name)?.upstream;
      if (!upstream) return null;
      const known = upstream.schemaCommands;
      if (!known) return { status: 503, body: { error: 'the target is not connected yet' } };
      const commands = policy.permittedCommands(role, known, targetSet.origin(name));
      return { status: 200, body: { commands, refusedDrivers: [...REFUSED_DRIVERS.keys()] } };
    },
    auditFor: (name) =>
      multiplexers.has(name)
        ? { entries: audit.recent(name), onDisk: config.auditLog !== undefined }
        : null,
    lookUpFile: (name, path) =>
      multiplexers.has(name) ? lookUpFile(path, policy.allowDirs) : Promise.resolve(null),
    secure: config.tls !== undefined,
    metrics: createMetrics(() => multiplexers.values()),
    fleet,
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
    onSession: (ws, { target, role, peer, connection }) => {
      const mux = multiplexers.get(target)!;
      const origin = targetSet.origin(target);
      const transport = new WsTransport(ws, limits.heartbeatMs, connection);
      new Session(transport, { target, role, peer, mux, origin, policy, audit, limits });
    },
  });
  server.on('upgrade', endpoint.handleUpgrade);

  let bound: Awaited<ReturnType<typeof listen>>;
  try {
    bound = await listen(server, config.listen.host, config.listen.port);
  } catch (error) {
    exposed.close();
    throw error;
  }
  hostCheck = new HostCheck(bound.host, bound.port, scheme, config.allowHosts);
  for (const mux of multiplexers.values()) mux.upstream.start();
  sshTunnels.start();
  // Each libvirt connection adds its running guests as they are found (libvirt-source.ts).
  const staticNames = new Set(config.targets.map((t) => t.name));
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
  // Each --target-dir adds its sockets as they appear (target-dir.ts).
  const dirSources: TargetDirSource[] = [];
  for (const dir of config.targetDirs ?? []) {
    dirSources.push(
      new TargetDirSource({
        dir,
        targets: targetSet,
        isTaken: (name) => staticNames.has(name) || dirSources.some((d) => d.owns(name)),
        log,
        ...(options.targetDirRescanMs !== undefined ? { rescanMs: options.targetDirRescanMs } : {}),
      }),
    );
  }
  for (const source of dirSources) source.start();
  const hostPart = bound.host.includes(':') ? `[${bound.host}]` : bound.host;
  const origin = `${scheme}://${hostPart}:${bound.port}`;

  let stopped: Promise<void> | null = null;
  return {
    host: bound.host,
    port: bound.port,
    origin,
    url: `${origin}/#token=${token}`,
    token,
    ...(viewerToken ? { viewerToken, viewerUrl: `${origin}/#token=${viewerToken}` } : {}),
    multiplexers,
    sshPid: (name) => sshTunnels.get(name)?.pid,
    exposedSockets: () => exposed.paths(),
    stop() {
      stopped ??= (async () => {
        for (const ws of endpoint.wss.clients)
          ws.close(CloseCode.ServerShutdown, 'server shutting down');
        for (const source of libvirtSources) source.stop();
        for (const source of dirSources) source.stop();
        fleet.close();
        exposed.close();
        targetSet.close();
        sshTunnels.stop();
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
