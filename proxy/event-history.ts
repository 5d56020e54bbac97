// One target's history as the proxy heard it: every event that went to all of the target's
// sessions (QEMU's own, the proxy's command notices, changes of the target's state and records),
// each with the proxy's arrival time. QEMU keeps no event history, so without this a page that
// reloads, or opens later, knows nothing of what happened before it connected. A new session gets
// the whole record right after negotiating (ProxyEvent.History), before any live event.
// Bounded by entries and by bytes; identical consecutive events (a burst of BLOCK_JOB_ERROR: QEMU
// does not rate-limit them) are one entry with a count, so a burst cannot push the rest out.
import type { HistoryEntry, JsonObject, QmpEvent } from '../src/qmp/wire.ts';

export interface HistoryLimits {
  maxEntries: number;
  /** Of the entries' JSON text. */
  maxBytes: number;
}

export const DEFAULT_HISTORY_LIMITS: HistoryLimits = { maxEntries: 1_000, maxBytes: 1024 * 1024 };

interface Slot {
  entry: HistoryEntry;
  /** JSON of name and data: what "identical" compares. */
  key: string;
  bytes: number;
}

export class EventHistory {
  /** When this record began (epoch ms): a page seeded from another record knows it is another. */
  readonly since: number;
  private readonly slots: Slot[] = [];
  private head = 0;
  private bytes = 0;
  /** Entries pushed out by the bounds since the record began. */
  dropped = 0;

  constructor(
    private readonly limits: HistoryLimits = DEFAULT_HISTORY_LIMITS,
    private readonly clock: () => number = Date.now,
  ) {
    this.since = clock();
  }

  get size(): number {
    return this.slots.length - this.head;
  }

  record(event: QmpEvent): void {
    const at = this.clock();
    const key = JSON.stringify([event.event, event.data ?? null]);
    const last = this.slots[this.slots.length - 1];
    if (last && this.slots.length > this.head && last.key === key) {
      last.entry.count++;
      last.entry['last-at'] = at;
      last.entry['last-timestamp'] = event.timestamp;
      return;
    }
    const entry: HistoryEntry = {
      event: event.event,
      ...(event.data ? { data: event.data } : {}),
      timestamp: event.timestamp,
      at,
      count: 1,
    };
    // The last-* members added by a burst are small and bounded; counted once here with room.
    const bytes = key.length + 120;
    this.slots.push({ entry, key, bytes });
    this.bytes += bytes;
    while (
      this.size > 1 &&
      (this.size > this.limits.maxEntries || this.bytes > this.limits.maxBytes)
    ) {
      this.bytes -= this.slots[this.head]!.bytes;
      this.head++;
      this.dropped++;
    }
    // Compacted now and then, so dropping stays cheap and the array stays bounded.
    if (this.head > this.limits.maxEntries) {
      this.slots.splice(0, this.head);
      this.head = 0;
    }
  }

  /** Oldest first; copies, so a later merge does not change what was already sent. */
  entries(): HistoryEntry[] {
    return this.slots.slice(this.head).map((slot) => ({ ...slot.entry }));
  }

  /** The data of ProxyEvent.History. */
  data(): JsonObject {
    return {
      since: this.since,
      now: this.clock(),
      dropped: this.dropped,
      entries: this.entries() as unknown as JsonObject[],
    };
  }
}
