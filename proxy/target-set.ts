// The proxy's targets: the ones named on the command line, and the ones that come and go while it
// runs (every running guest of a libvirt connection, every QMP socket of a --target-dir).
// Each live target is one upstream and its multiplexer. A target that goes away is kept for a while
// as `gone`, so pages and scripts see why it left instead of an unknown name; the same name coming
// back replaces it. Every change is told to listeners (server.ts tells every session), and the
// sources that discover targets report their own state here too (GET /api/target-sources).
import type { TargetAddress } from './config.ts';
import type { Multiplexer } from './multiplexer.ts';
import { formatSshAddress } from './ssh-tunnel.ts';
import type { MonitorTraits } from './upstream.ts';

/** One disk of a libvirt domain, as `virsh domblklist --details` lists it. */
export interface LibvirtDisk {
  type: string;
  device: string;
  /** The guest's name for the disk (`vda`, `sdb`). */
  target: string;
  /** The image libvirt names, or '' for an empty drive. */
  source: string;
}

/** Where a target came from when it was not named on the command line. */
export type TargetOrigin = {
  managed: 'libvirt';
  /** The libvirt connection URI as given to --libvirt. */
  uri: string;
  domain: string;
  /** Mutating commands are relayed (--libvirt-allow-writes); otherwise the proxy refuses them. */
  writable: boolean;
  disks: LibvirtDisk[];
};

export interface TargetSpec {
  name: string;
  address: TargetAddress;
  traits?: MonitorTraits;
  origin?: TargetOrigin;
  /** The --target-dir the socket was found in. */
  dir?: string;
}

export interface TargetInfo {
  name: string;
  state: string;
  version?: string;
  kind?: string;
  reason?: string;
  managed?: string;
  [key: string]: unknown;
}

/** A source of targets (one --libvirt URI): whether it can be reached, and when it is tried again. */
export interface SourceInfo {
  kind: 'libvirt' | 'target-dir';
  /** What the operator gave, e.g. the URI or the directory. */
  id: string;
  state: 'connecting' | 'connected' | 'unreachable';
  reason?: string;
  /** Epoch milliseconds of the next attempt while unreachable. */
  retryAt?: number;
  targets: number;
}

export interface TargetChange {
  added?: string[];
  gone?: string[];
  removed?: string[];
  changed?: string[];
  sources?: boolean;
}

interface Live {
  spec: TargetSpec;
  mux: Multiplexer;
}

interface Gone {
  spec: TargetSpec;
  reason: string;
  timer: ReturnType<typeof setTimeout>;
}

export interface TargetSetOptions {
  /** Builds the upstream and multiplexer of a target (not started). */
  create: (spec: TargetSpec) => Multiplexer;
  /** How long a gone target stays listed. */
  goneRetentionMs?: number;
}

export class TargetSet {
  private readonly live = new Map<string, Live>();
  private readonly gone = new Map<string, Gone>();
  private readonly sources = new Map<string, SourceInfo>();
  private readonly listeners = new Set<(change: TargetChange) => void>();
  /** The live multiplexers by name (what ProxyHandle.multiplexers shows). */
  readonly multiplexers = new Map<string, Multiplexer>();

  constructor(private readonly options: TargetSetOptions) {}

  onChange(listener: (change: TargetChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  has(name: string): boolean {
    return this.live.has(name) || this.gone.has(name);
  }

  /** The live target's multiplexer; undefined for a gone or unknown name. */
  get(name: string): Multiplexer | undefined {
    return this.live.get(name)?.mux;
  }

  origin(name: string): TargetOrigin | undefined {
    return this.live.get(name)?.spec.origin;
  }

  /** Why a gone target went; undefined when the name is live or unknown. */
  goneReason(name: string): string | undefined {
    return this.gone.get(name)?.reason;
  }

  /** Adds a live target (its upstream is not started: the caller starts it when it can connect). */
  add(spec: TargetSpec): Multiplexer {
    if (this.live.has(spec.name)) throw new Error(`target ${spec.name} exists`);
    const wasGone = this.gone.get(spec.name);
    if (wasGone) clearTimeout(wasGone.timer);
    this.gone.delete(spec.name);
    const mux = this.options.create(spec);
    this.live.set(spec.name, { spec, mux });
    this.multiplexers.set(spec.name, mux);
    this.emit({ added: [spec.name] });
    return mux;
  }

  /** The target went away: its sessions are told why and closed, its upstream stops. */
  markGone(name: string, reason: string): void {
    const entry = this.live.get(name);
    if (!entry) return;
    this.live.delete(name);
    this.multiplexers.delete(name);
    entry.mux.retire(reason);
    entry.mux.upstream.stop();
    const timer = setTimeout(
      () => {
        this.gone.delete(name);
        this.emit({ removed: [name] });
      },
      this.options.goneRetentionMs ?? 10 * 60_000,
    );
    timer.unref();
    this.gone.set(name, { spec: entry.spec, reason, timer });
    this.emit({ gone: [name] });
  }

  /** New details for a live target (a libvirt domain's disks after a block job). */
  updateOrigin(name: string, origin: TargetOrigin): void {
    const entry = this.live.get(name);
    if (!entry) return;
    entry.spec = { ...entry.spec, origin };
    this.emit({ changed: [name] });
  }

  setSource(source: SourceInfo): void {
    const before = this.sources.get(source.id);
    this.sources.set(source.id, source);
    if (JSON.stringify(before) !== JSON.stringify(source)) this.emit({ sources: true });
  }

  sourceInfos(): SourceInfo[] {
    return [...this.sources.values()];
  }

  /** GET /api/targets: live targets with their connection state, then gone ones. */
  infos(): TargetInfo[] {
    const live = [...this.live.values()].map(({ spec, mux }): TargetInfo => {
      const { upstream } = mux;
      return {
        name: spec.name,
        state: upstream.currentState,
        ...(upstream.version ? { version: upstream.version } : {}),
        ...(upstream.kind ? { kind: upstream.kind } : {}),
        ...(upstream.reason && upstream.currentState !== 'connected'
          ? { reason: upstream.reason }
          : {}),
        ...(spec.address.type === 'ssh' ? { remote: formatSshAddress(spec.address) } : {}),
        ...(spec.dir !== undefined ? { dir: spec.dir } : {}),
        ...(spec.origin ?? {}),
      };
    });
    const gone = [...this.gone.entries()].map(([name, { spec, reason }]): TargetInfo => ({
      name,
      state: 'gone',
      reason,
      ...(spec.dir !== undefined ? { dir: spec.dir } : {}),
      ...(spec.origin ?? {}),
    }));
    return [...live, ...gone];
  }

  /** Every live multiplexer, for shutdown and broadcasts. */
  all(): Multiplexer[] {
    return [...this.live.values()].map(({ mux }) => mux);
  }

  close(): void {
    for (const { timer } of this.gone.values()) clearTimeout(timer);
    this.gone.clear();
    for (const { mux } of this.live.values()) {
      mux.close();
      mux.upstream.stop();
    }
    this.live.clear();
    this.multiplexers.clear();
    this.listeners.clear();
  }

  private emit(change: TargetChange): void {
    for (const listener of this.listeners) listener(change);
  }
}
