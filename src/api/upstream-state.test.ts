import { QueryClient } from '@tanstack/react-query';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { QmpEvent } from '../qmp/wire.ts';
import { upstreamStateKey, watchUpstreamState, type UpstreamState } from './upstream-state.ts';

function client() {
  const listeners = new Set<(event: QmpEvent) => void>();
  return {
    onEvent(listener: (event: QmpEvent) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    emit(data: QmpEvent['data']) {
      const event = {
        event: 'X_BLOCKSCOPE_TARGET_STATE',
        data,
        timestamp: { seconds: 0, microseconds: 0 },
      };
      for (const l of listeners) l(event);
    },
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('the upstream state record', () => {
  it('keeps when a state began, when QEMU was last seen, and ignores what is not a state', () => {
    vi.useFakeTimers();
    const qc = new QueryClient();
    const qmp = client();
    const off = watchUpstreamState(qc, qmp, 'vm');
    const state = () => qc.getQueryData<UpstreamState>(upstreamStateKey('vm'));
    vi.setSystemTime(1_000);
    qmp.emit({ state: 'connected', version: '7.2.22' });
    vi.setSystemTime(5_000);
    qmp.emit({ state: 'disconnected', reason: 'connection closed by QEMU' });
    vi.setSystemTime(9_000);
    qmp.emit({ state: 'disconnected', reason: 'connect ENOENT' });
    qmp.emit({ state: 'on fire' });
    expect(state()).toEqual({
      state: 'disconnected',
      reason: 'connect ENOENT',
      since: 5_000,
      lastConnected: 1_000,
    });
    off();
    expect(state()).toBeUndefined();
  });
});
