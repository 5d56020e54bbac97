// Steady I/O in the demo, as a guest would make it, so the live figures have something to show:
// reads from vda, writes to vdb, and writes to the throttled vdc offered faster than its group
// allows (its rate sits at the limit). The demo QEMU runs no guest, so the requests are queued
// through its own third monitor with qemu-io on each device's BlockBackend (`aio_read`/
// `aio_write`, the qemu-io commands that go through the device's accounting and throttling).
// Each stream keeps a few requests in flight, judged from the device's counters, so a throttled
// queue never grows; a stream whose device is gone waits until it is back.
import type { JsonValue } from '../src/qmp/wire.ts';
import { DEFAULT_UPSTREAM_TUNING, Upstream } from './upstream.ts';

const KiB = 1024;
const MiB = 1024 * KiB;
const TICK_MS = 100;

interface Stream {
  qdev: string;
  op: 'aio_read' | 'aio_write';
  size: number;
  /** The byte range the stream moves through, so it never touches the images' other data. */
  from: number;
  to: number;
  /** Requests in flight it keeps at most; new ones per tick at most. */
  inFlight: number;
  perTick: number;
  next: number;
  issued: number;
  /** The device's completed count of this operation when the stream started. */
  base?: number;
}

const device = (id: string) => `/machine/peripheral/${id}/virtio-backend`;

function streams(): Stream[] {
  const stream = (s: Omit<Stream, 'next' | 'issued'>): Stream => ({
    ...s,
    next: s.from,
    issued: 0,
  });
  return [
    // ~1.25 MiB/s of reads across the OS chain's data.
    stream({
      qdev: device('vda'),
      op: 'aio_read',
      size: 128 * KiB,
      from: 0,
      to: 48 * MiB,
      inFlight: 2,
      perTick: 1,
    }),
    // ~2.5 MiB/s of writes to the part of the data disk that holds nothing.
    stream({
      qdev: device('vdb'),
      op: 'aio_write',
      size: 256 * KiB,
      from: 64 * MiB,
      to: 128 * MiB,
      inFlight: 2,
      perTick: 1,
    }),
    // More than tg0's 20 MiB/s: always 16 requests waiting in the throttle.
    stream({
      qdev: device('vdc'),
      op: 'aio_write',
      size: 512 * KiB,
      from: 16 * MiB,
      to: 48 * MiB,
      inFlight: 16,
      perTick: 8,
    }),
  ];
}

export interface DemoIo {
  stop(): void;
}

export function startDemoIo(socket: string): DemoIo {
  const upstream = new Upstream('demo-io', { type: 'unix', path: socket }, DEFAULT_UPSTREAM_TUNING);
  const all = streams();
  let timer: ReturnType<typeof setTimeout> | null = null;
  let stopped = false;

  const completed = (stats: JsonValue, stream: Stream): number | undefined => {
    if (!Array.isArray(stats)) return undefined;
    const entry = stats.find(
      (e) => typeof e === 'object' && e !== null && !Array.isArray(e) && e.qdev === stream.qdev,
    ) as { stats?: Record<string, JsonValue> } | undefined;
    // Finished either way: completed, failed or refused as invalid.
    const kind = stream.op === 'aio_read' ? 'rd' : 'wr';
    const counts = [
      `${kind}_operations`,
      `failed_${kind}_operations`,
      `invalid_${kind}_operations`,
    ].map((name) => entry?.stats?.[name]);
    if (!counts.every((c): c is number => typeof c === 'number')) return undefined;
    return counts.reduce((a, b) => a + b, 0);
  };

  const tick = async () => {
    if (upstream.currentState === 'connected') {
      const stats = await upstream.execute('query-blockstats');
      for (const stream of all) {
        const done = stats.kind === 'return' ? completed(stats.value, stream) : undefined;
        if (done === undefined) {
          // The device is gone (or QEMU did not answer): start again when it is back.
          stream.base = undefined;
          continue;
        }
        if (stream.base === undefined) {
          stream.base = done;
          stream.issued = 0;
        }
        const waiting = stream.issued - (done - stream.base);
        const room = Math.min(stream.perTick, stream.inFlight - waiting);
        for (let i = 0; i < room && !stopped; i++) {
          const pattern = stream.op === 'aio_write' ? '-P 90 ' : '';
          const line = `qemu-io -d ${stream.qdev} "${stream.op} ${pattern}${stream.next} ${stream.size}"`;
          const sent = await upstream.execute('human-monitor-command', { 'command-line': line });
          if (sent.kind !== 'return') break;
          stream.issued++;
          stream.next =
            stream.next + stream.size >= stream.to ? stream.from : stream.next + stream.size;
        }
      }
    } else {
      for (const stream of all) stream.base = undefined;
    }
    if (!stopped) timer = setTimeout(() => void tick(), TICK_MS);
  };

  upstream.start();
  timer = setTimeout(() => void tick(), TICK_MS);
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      upstream.stop();
    },
  };
}
