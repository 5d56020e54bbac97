import { describe, expect, it } from 'vitest';
import type { StateChange } from './upstream.ts';
import { logUpstreamChanges } from './upstream-log.ts';

function source() {
  const listeners = new Set<(change: StateChange) => void>();
  return {
    stopping: false,
    onState(listener: (change: StateChange) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    emit(change: StateChange) {
      for (const l of listeners) l(change);
    },
  };
}

describe('logUpstreamChanges', () => {
  it('says once when QEMU goes, why, and when it is back', () => {
    const upstream = source();
    const lines: string[] = [];
    logUpstreamChanges(upstream, 'demo', (l) => lines.push(l));
    upstream.emit({ state: 'connecting' });
    upstream.emit({ state: 'negotiating' });
    upstream.emit({ state: 'connected', version: '7.2.22' });
    upstream.emit({ state: 'disconnected', reason: 'connection closed by QEMU' });
    upstream.emit({ state: 'connecting' });
    upstream.emit({ state: 'disconnected', reason: 'connect ECONNREFUSED' });
    upstream.emit({ state: 'connecting' });
    upstream.emit({ state: 'disconnected', reason: 'connect ENOENT' });
    upstream.emit({ state: 'connected', version: '7.2.22' });
    expect(lines).toEqual([
      'target demo: connected (QEMU 7.2.22)',
      'target demo: QEMU connection lost: connection closed by QEMU; retrying',
      'target demo: connected again (QEMU 7.2.22)',
    ]);
  });

  it('tells a QEMU never reached from one that was lost, and says nothing on shutdown', () => {
    const upstream = source();
    const lines: string[] = [];
    logUpstreamChanges(upstream, 'vm1', (l) => lines.push(l));
    upstream.emit({ state: 'disconnected', reason: 'ENOENT' });
    upstream.emit({ state: 'busy' });
    upstream.stopping = true;
    upstream.emit({ state: 'disconnected', reason: 'the proxy is shutting down' });
    expect(lines).toEqual([
      'target vm1: cannot connect to QEMU: ENOENT; retrying',
      'target vm1: the QMP monitor is held by another client; retrying',
    ]);
  });
});
