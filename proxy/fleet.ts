// The fleet overview: one row per target (state and why, kind, version, how many disks, nodes and
// NBD exports, its jobs) for GET /api/fleet and its event stream. It costs QEMU nothing while a
// target is idle: jobs come from the target's shared job poller (job-poller.ts, which polls only
// while jobs exist), and the counts are read when the fleet is first asked for, once per
// connection after that, and again only after something that can change them (a job ending, a
// device or export deleted, a session's successful mutating command), a few hundred milliseconds
// later so that a burst makes one read.
import { ProxyEvent, type JsonObject, type JsonValue, type QmpEvent } from '../src/qmp/wire.ts';
import type { Multiplexer } from './multiplexer.ts';
import type { TargetInfo, TargetSet } from './target-set.ts';

export interface FleetCounts {
  /** query-named-block-nodes (flat): every node of the graph. */
  nodes: number;
  /** query-block: block backends with a medium (a device's drive, an export's backend). */
  disks: number;
  /** query-block-exports: NBD (and other) exports; absent where QEMU lacks the command. */
  exports?: number;
}

export interface FleetRow extends TargetInfo {
  counts?: FleetCounts;
  /** The job poller's latest { jobs, 'block-jobs' } while jobs exist. */
  jobs?: JsonObject;
}

/** QEMU events after which the counts may differ (qapi/block-core.json, qapi/job.json, …). */
const RECOUNT_EVENTS = new Set([
  'BLOCK_JOB_COMPLETED',
  'BLOCK_JOB_CANCELLED',
  'DEVICE_DELETED',
  'BLOCK_EXPORT_DELETED',
  ProxyEvent.CommandDone,
]);

interface Watch {
  mux: Multiplexer;
  counts?: FleetCounts;
  jobs?: JsonObject;
  timer: ReturnType<typeof setTimeout> | null;
  generation: number;
  off: () => void;
}

export class Fleet {
  private readonly watches = new Map<string, Watch>();
  private readonly listeners = new Set<() => void>();
  private readonly offTargets: () => void;
  /**
   * Nobody has asked for the fleet yet: no counts are read, so a server whose fleet page is
   * never opened sends QEMU nothing for it. The first look reads them; events keep them fresh.
   */
  private wanted = false;

  constructor(
    private readonly targets: TargetSet,
    private readonly recountDelayMs = 300,
  ) {
    this.offTargets = targets.onChange(() => {
      this.sync();
      this.changed();
    });
    this.sync();
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  rows(): FleetRow[] {
    if (!this.wanted) {
      this.wanted = true;
      for (const watch of this.watches.values()) {
        if (watch.mux.upstream.currentState === 'connected') this.recount(watch);
      }
    }
    return this.targets.infos().map((info) => {
      const watch = info.state === 'gone' ? undefined : this.watches.get(info.name);
      return {
        ...info,
        ...(watch?.counts ? { counts: watch.counts } : {}),
        ...(watch?.jobs ? { jobs: watch.jobs } : {}),
      };
    });
  }

  close(): void {
    this.offTargets();
    for (const watch of this.watches.values()) this.unwatch(watch);
    this.watches.clear();
    this.listeners.clear();
  }

  /** Watches every live multiplexer, and lets go of those that left. */
  private sync(): void {
    const live = new Set(this.targets.all());
    for (const [name, watch] of this.watches) {
      if (!live.has(watch.mux)) {
        this.unwatch(watch);
        this.watches.delete(name);
      }
    }
    for (const mux of live) {
      const name = mux.upstream.name;
      if (this.watches.get(name)?.mux !== mux) this.watch(name, mux);
    }
  }

  private watch(name: string, mux: Multiplexer): void {
    const watch: Watch = { mux, timer: null, generation: 0, off: () => {} };
    const latest = mux.poller.latest;
    if (latest) watch.jobs = latest;
    const offState = mux.upstream.onState(({ state }) => {
      watch.generation++;
      if (state === 'connected') {
        if (this.wanted) this.recount(watch);
      } else {
        delete watch.counts;
        delete watch.jobs;
      }
      this.changed();
    });
    const observer = (event: QmpEvent) => this.heard(watch, event);
    mux.observers.add(observer);
    watch.off = () => {
      offState();
      mux.observers.delete(observer);
    };
    this.watches.set(name, watch);
    if (this.wanted && mux.upstream.currentState === 'connected') this.recount(watch);
  }

  private unwatch(watch: Watch): void {
    watch.off();
    if (watch.timer) clearTimeout(watch.timer);
    watch.timer = null;
    watch.generation++;
  }

  private heard(watch: Watch, event: QmpEvent): void {
    if (event.event === ProxyEvent.Jobs) {
      const data = event.data ?? {};
      const jobs = Array.isArray(data.jobs) ? data.jobs : [];
      if (jobs.length > 0) watch.jobs = { jobs, 'block-jobs': data['block-jobs'] ?? [] };
      else delete watch.jobs;
      this.changed();
      return;
    }
    if (this.wanted && (RECOUNT_EVENTS.has(event.event) || isJobEnd(event))) {
      this.recountSoon(watch);
    }
  }

  private recountSoon(watch: Watch): void {
    if (watch.timer) return;
    watch.timer = setTimeout(() => {
      watch.timer = null;
      this.recount(watch);
    }, this.recountDelayMs);
  }

  private recount(watch: Watch): void {
    const generation = ++watch.generation;
    const { upstream } = watch.mux;
    const has = (command: string) => upstream.schemaCommands?.has(command) ?? false;
    void Promise.all([
      upstream.execute('query-named-block-nodes', { flat: true }),
      upstream.execute('query-block'),
      has('query-block-exports') ? upstream.execute('query-block-exports') : null,
    ]).then(([nodes, block, exports]) => {
      if (generation !== watch.generation || nodes.kind !== 'return') return;
      const counts: FleetCounts = {
        nodes: lengthOf(nodes.value),
        disks:
          block.kind === 'return' && Array.isArray(block.value)
            ? block.value.filter((b) => isObject(b) && isObject(b.inserted)).length
            : 0,
      };
      if (exports?.kind === 'return') counts.exports = lengthOf(exports.value);
      watch.counts = counts;
      this.changed();
    });
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}

/** A job reached its end (qapi/job.json JobStatus): its nodes may have left the graph. */
function isJobEnd(event: QmpEvent): boolean {
  if (event.event !== 'JOB_STATUS_CHANGE') return false;
  const status = event.data?.status;
  return status === 'concluded' || status === 'null';
}

function lengthOf(value: JsonValue): number {
  return Array.isArray(value) ? value.length : 0;
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
