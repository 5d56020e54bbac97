// Event timing helpers: QEMU stamps every event with its wall clock, and this machine's wall clock
// at receipt (with sub-millisecond precision from performance.now) gives the delivery latency.
import { connect } from 'node:net';

export interface TimedEvent {
  event: string;
  data: Record<string, unknown>;
  /** QEMU's `timestamp`, in ms since the epoch. */
  emittedMs: number;
  /** When this process parsed it, in ms since the epoch. */
  receivedMs: number;
}

export const wallNow = () => performance.timeOrigin + performance.now();

export function timed(message: Record<string, unknown>): TimedEvent | null {
  if (typeof message.event !== 'string') return null;
  const stamp = message.timestamp as { seconds: number; microseconds: number } | undefined;
  return {
    event: message.event,
    data: (message.data ?? {}) as Record<string, unknown>,
    emittedMs: stamp ? stamp.seconds * 1000 + stamp.microseconds / 1000 : NaN,
    receivedMs: wallNow(),
  };
}

/** A raw monitor connection that only listens: the baseline for event delivery. */
export async function listenToMonitor(
  socketPath: string,
): Promise<{ events: TimedEvent[]; close(): void }> {
  const socket = connect(socketPath);
  socket.setEncoding('utf8');
  const events: TimedEvent[] = [];
  let buffer = '';
  let negotiated: (() => void) | null = null;
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    let nl;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const message = JSON.parse(buffer.slice(0, nl)) as Record<string, unknown>;
      buffer = buffer.slice(nl + 1);
      const event = timed(message);
      if (event) events.push(event);
      else if ('QMP' in message) socket.write('{"execute":"qmp_capabilities"}\n');
      else negotiated?.();
    }
  });
  await new Promise<void>((resolve) => (negotiated = resolve));
  return { events, close: () => socket.destroy() };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
