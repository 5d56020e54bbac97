// A target's audit log as the proxy keeps it (GET /api/targets/NAME/audit): its latest lines,
// every mutating command with its outcome and every refusal, from every session and every tool
// on an exposed socket. For operator sessions only (the proxy answers a viewer 403). Read again
// after any session's command went through (X_BLOCKSCOPE_COMMAND_DONE) and every few seconds
// while shown, for the refusals, which no event announces.
import { queryOptions } from '@tanstack/react-query';
import { targetKey } from './query-keys.ts';
import { getJson } from './session.ts';

/** One line of the audit log (the proxy's AuditEntry, as JSON). */
export interface AuditLine {
  time: string;
  role: string | null;
  peer: string;
  target: string | null;
  command: string | null;
  arguments?: unknown;
  outcome: 'ok' | 'error' | 'refused' | 'outcome-unknown' | 'timeout' | 'not-sent';
  error?: { class: string; desc: string };
  durationMs: number;
}

export interface AuditAnswer {
  entries: AuditLine[];
  /** Whether the server also writes them to a file (--audit-log). */
  onDisk: boolean;
}

export function auditKey(target: string) {
  return [...targetKey(target), 'audit'] as const;
}

export function auditOptions(target: string) {
  return queryOptions({
    queryKey: auditKey(target),
    queryFn: ({ signal }) =>
      getJson<AuditAnswer>(`/api/targets/${encodeURIComponent(target)}/audit`, { signal }),
    refetchInterval: 5_000,
    retry: false,
  });
}
