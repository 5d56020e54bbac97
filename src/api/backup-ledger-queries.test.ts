import { QueryClient, QueryObserver } from '@tanstack/react-query';
import { describe, expect, it, vi } from 'vitest';
import type { QmpEvent } from '../qmp/wire.ts';
import { ProxyEvent } from '../qmp/wire.ts';
import {
  applyBackupsEvent,
  backupLedgerKey,
  backupLedgerOptions,
  watchBackupLedger,
} from './backup-ledger-queries.ts';

const at = { seconds: 1, microseconds: 0 };
const full = { job: 'bk1', sync: 'full', target: 'full', state: 'cancelled', startedAt: 5 };
const ledgerEvent = (data: unknown): QmpEvent =>
  ({ event: ProxyEvent.Backups, data, timestamp: at }) as QmpEvent;

describe('the backup ledger in the query cache', () => {
  it('keeps well-formed records as sent and leaves malformed ones out', () => {
    const qc = new QueryClient();
    const event = ledgerEvent({
      backups: [
        { node: 'top', bitmap: '<b>bm</b>', full },
        { node: 'top', bitmap: 'x', full: { ...full, state: 'exploded' } },
        { node: 7, bitmap: 'y', full },
        'junk',
      ],
    });
    expect(applyBackupsEvent(qc, 'vm', event)).toBe(true);
    expect(qc.getQueryData(backupLedgerKey('vm'))).toEqual({
      backups: [{ node: 'top', bitmap: '<b>bm</b>', full }],
    });
    expect(applyBackupsEvent(qc, 'vm', ledgerEvent({ nothing: [] }))).toBe(false);
    expect(
      applyBackupsEvent(qc, 'vm', { event: 'BLOCK_JOB_CANCELLED', data: {}, timestamp: at }),
    ).toBe(false);
  });

  it('listens from before the first event and keeps the ledger while no view shows it', async () => {
    vi.useFakeTimers();
    try {
      // The browser's default (on a server, where tests run, TanStack keeps queries forever).
      const qc = new QueryClient({ defaultOptions: { queries: { gcTime: 5 * 60_000 } } });
      const listeners = new Set<(event: QmpEvent) => void>();
      const client = {
        onEvent(listener: (event: QmpEvent) => void) {
          listeners.add(listener);
          return () => listeners.delete(listener);
        },
      };
      const stop = watchBackupLedger(qc, client, 'vm');
      for (const l of listeners) l(ledgerEvent({ backups: [{ node: 'top', bitmap: 'a', full }] }));
      // Past the default garbage-collection time, with no observer.
      await vi.advanceTimersByTimeAsync(10 * 60_000);
      const observer = new QueryObserver(qc, backupLedgerOptions('vm'));
      expect(observer.getCurrentResult().data?.backups.map((r) => r.bitmap)).toEqual(['a']);
      // It never fetches: there is no QMP read behind it.
      await qc.invalidateQueries({ queryKey: backupLedgerKey('vm') });
      expect(observer.getCurrentResult().fetchStatus).toBe('idle');
      stop();
      expect(listeners.size).toBe(0);
      expect(qc.getQueryData(backupLedgerKey('vm'))).toBeUndefined();
    } finally {
      vi.useRealTimers();
    }
  });
});
