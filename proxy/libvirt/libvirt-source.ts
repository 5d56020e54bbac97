// One --libvirt connection as a source of targets. While the connection works, every running guest
// is a target (named by libvirt-uris.ts) reached through libvirt's passthrough on a private
// socket; a guest that starts is added as soon as libvirt's event stream says so (and at the
// latest at the next list, every resyncMs), one that stops is marked gone. A connection that
// fails, or a host that is down, is reported as unreachable and tried again with doubling,
// jittered pauses. Nothing here changes a guest: virsh list, domblklist and event are reads, and
// the passthrough relays only what the policy lets through.
import { join } from 'node:path';
import type { TargetSet } from '../target-set.ts';
import { DomainEvents, type DomainEvent } from './domain-events.ts';
import { targetNameOf, type LibvirtConnection } from './libvirt-uris.ts';
import { Passthrough } from './passthrough.ts';
import { domainDisks, runningDomains, type RunningDomain } from './virsh.ts';

export interface LibvirtSourceOptions {
  connection: LibvirtConnection;
  targets: TargetSet;
  /** A private directory (0700) for the passthrough sockets. */
  socketDir: string;
  /** --libvirt-allow-writes */
  writable: boolean;
  /** Whether --target uses a name. */
  isStaticTarget: (name: string) => boolean;
  log: (line: string) => void;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** A full list read this often while connected, besides the one after every lifecycle event. */
  resyncMs?: number;
}

interface Watched {
  domain: RunningDomain;
  name: string;
  passthrough: Passthrough;
  disksTimer: ReturnType<typeof setTimeout> | null;
}

let socketSeq = 0;

export class LibvirtSource {
  private state: 'connecting' | 'connected' | 'unreachable' = 'connecting';
  private reason: string | undefined;
  private retryAt: number | undefined;
  private readonly watched = new Map<string, Watched>();
  private readonly skipped = new Set<string>();
  private readonly events = new DomainEvents();
  private backoffMs: number;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private resyncTimer: ReturnType<typeof setInterval> | null = null;
  private syncing: Promise<void> | null = null;
  private syncAgain = false;
  private generation = 0;
  private stopped = false;

  constructor(private readonly options: LibvirtSourceOptions) {
    this.backoffMs = options.minBackoffMs ?? 1_000;
  }

  get uri(): string {
    return this.options.connection.uri;
  }

  start(): void {
    this.stopped = false;
    this.report();
    void this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.generation++;
    this.events.stop();
    if (this.timer) clearTimeout(this.timer);
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    this.timer = this.resyncTimer = null;
    for (const uuid of [...this.watched.keys()]) this.unwatch(uuid, null);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const generation = ++this.generation;
    const { clientUri } = this.options.connection;
    // Listening first: a guest that starts between the list and the stream is not missed.
    this.events.start(
      clientUri,
      (event) => this.heard(event),
      (reason) =>
        generation === this.generation && this.lost(`libvirt's event stream ended: ${reason}`),
    );
    try {
      const domains = await runningDomains(clientUri);
      if (generation !== this.generation) return;
      this.state = 'connected';
      this.reason = this.retryAt = undefined;
      this.backoffMs = this.options.minBackoffMs ?? 1_000;
      this.reconcile(domains);
      this.resyncTimer ??= setInterval(() => void this.resync(), this.options.resyncMs ?? 30_000);
      for (const watched of this.watched.values()) watched.passthrough.kick();
    } catch (error) {
      if (generation === this.generation) this.lost((error as Error).message);
    }
  }

  /** The connection failed or ended: report it, and try again after a pause. */
  private lost(reason: string): void {
    if (this.stopped) return;
    this.generation++;
    this.events.stop();
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    this.resyncTimer = null;
    const delay = this.backoffMs * (0.75 + Math.random() * 0.5);
    this.backoffMs = Math.min(this.options.maxBackoffMs ?? 60_000, this.backoffMs * 2);
    this.state = 'unreachable';
    this.reason = reason;
    // Its guests may well run on; their targets stay, disconnected, until it is back.
    for (const watched of this.watched.values()) watched.passthrough.suspend();
    this.retryAt = Date.now() + Math.round(delay);
    this.options.log(
      `libvirt ${this.uri}: ${reason}; trying again in ${Math.round(delay / 1000)} s`,
    );
    this.report();
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.connect();
    }, delay);
  }

  private heard(event: DomainEvent): void {
    if (event.type === 'lifecycle') {
      void this.resync();
      return;
    }
    // A block job, a device added or removed, a medium changed: the disk list may differ now.
    const watched = [...this.watched.values()].find((w) => w.domain.name === event.domain);
    if (watched) this.refreshDisksSoon(watched);
  }

  /** Reads the list again; a request while one runs makes one more run after it. */
  private resync(): Promise<void> {
    if (this.syncing) {
      this.syncAgain = true;
      return this.syncing;
    }
    const generation = this.generation;
    this.syncing = (async () => {
      do {
        this.syncAgain = false;
        try {
          const domains = await runningDomains(this.options.connection.clientUri);
          if (generation !== this.generation || this.stopped) return;
          this.reconcile(domains);
        } catch (error) {
          if (generation === this.generation) this.lost((error as Error).message);
          return;
        }
      } while (this.syncAgain);
    })().finally(() => (this.syncing = null));
    return this.syncing;
  }

  private reconcile(domains: RunningDomain[]): void {
    const running = new Map(domains.map((d) => [d.uuid, d]));
    for (const [uuid, watched] of this.watched) {
      const now = running.get(uuid);
      if (!now || now.name !== watched.domain.name) {
        this.unwatch(uuid, 'the guest stopped (libvirt no longer lists it as running)');
      }
    }
    for (const domain of domains) {
      if (!this.watched.has(domain.uuid)) this.watch(domain);
    }
    this.report();
  }

  private watch(domain: RunningDomain): void {
    const { connection, targets, writable } = this.options;
    const name = targetNameOf(connection, domain.name, this.options.isStaticTarget);
    if (name === null || targets.get(name)) {
      if (!this.skipped.has(domain.uuid)) {
        this.skipped.add(domain.uuid);
        this.options.log(
          `libvirt ${this.uri}: not watching guest '${domain.name}': ` +
            (name === null
              ? 'its name cannot be a target name (letters, digits, . _ + : - only)'
              : `the target name '${name}' is taken`),
        );
      }
      return;
    }
    const socketPath = join(this.options.socketDir, `${++socketSeq}.qmp`);
    const passthrough = new Passthrough({
      uri: connection.clientUri,
      uuid: domain.uuid,
      socketPath,
    });
    const mux = targets.add({
      name,
      address: { type: 'unix', path: socketPath },
      traits: { maxInFlight: 1, eventDataAsText: true, versionFromQuery: true },
      origin: { managed: 'libvirt', uri: connection.uri, domain: domain.name, writable, disks: [] },
    });
    const watched: Watched = { domain, name, passthrough, disksTimer: null };
    this.watched.set(domain.uuid, watched);
    void passthrough.start().then(() => {
      if (this.watched.get(domain.uuid) === watched) mux.upstream.start();
    });
    void this.refreshDisks(watched);
  }

  private unwatch(uuid: string, reason: string | null): void {
    const watched = this.watched.get(uuid);
    if (!watched) return;
    this.watched.delete(uuid);
    if (watched.disksTimer) clearTimeout(watched.disksTimer);
    watched.passthrough.stop();
    if (reason !== null) this.options.targets.markGone(watched.name, reason);
  }

  private refreshDisksSoon(watched: Watched): void {
    if (watched.disksTimer) clearTimeout(watched.disksTimer);
    watched.disksTimer = setTimeout(() => {
      watched.disksTimer = null;
      void this.refreshDisks(watched);
    }, 200);
  }

  private async refreshDisks(watched: Watched): Promise<void> {
    let disks;
    try {
      disks = await domainDisks(this.options.connection.clientUri, watched.domain.uuid);
    } catch {
      return; // the guest stopped, or the connection went: the list and the stream say which
    }
    const { targets } = this.options;
    const origin = targets.origin(watched.name);
    if (this.watched.get(watched.domain.uuid) !== watched || !origin) return;
    if (JSON.stringify(origin.disks) === JSON.stringify(disks)) return;
    targets.updateOrigin(watched.name, { ...origin, disks });
  }

  private report(): void {
    this.options.targets.setSource({
      kind: 'libvirt',
      id: this.uri,
      state: this.state,
      ...(this.reason ? { reason: this.reason } : {}),
      ...(this.retryAt ? { retryAt: this.retryAt } : {}),
      targets: this.watched.size,
    });
  }
}
