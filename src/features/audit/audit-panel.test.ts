import { describe, expect, it } from 'vitest';
import type { AuditLine } from '../../api/audit-queries.ts';
import { matchesAudit } from './audit-panel.tsx';

const line: AuditLine = {
  time: '2026-12-02T07:00:00.000Z',
  role: 'operator',
  peer: '127.0.0.1:5000',
  target: 'vm',
  command: 'blockdev-mirror',
  arguments: { 'job-id': 'm1', device: 'os-top', target: 'copy' },
  outcome: 'error',
  error: { class: 'GenericError', desc: 'Permission conflict' },
  durationMs: 3,
};

describe('matchesAudit', () => {
  it('matches anything in a line, whatever the case: command, argument, outcome, error', () => {
    for (const text of ['', 'MIRROR', 'm1', 'os-top', 'error', 'permission conflict', 'operator'])
      expect(matchesAudit(line, text)).toBe(true);
    expect(matchesAudit(line, 'blockdev-backup')).toBe(false);
  });
});
