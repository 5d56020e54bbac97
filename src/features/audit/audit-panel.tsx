// The audit log of the target, newest first: who changed what, with QEMU's or the proxy's answer,
// as the server keeps it for every session (pages, scripts on an exposed socket). Filterable by
// anything in a line (a command, a node, a job id, an outcome). Arguments are shown as JSON text.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useDeferredValue, useState } from 'react';
import { auditKey, auditOptions, type AuditLine } from '../../api/audit-queries.ts';
import { useQmpEvent, useTargetName } from '../../api/qmp-context.tsx';
import { HttpError, sessionOptions } from '../../api/session.ts';
import { FilterField } from '../../components/filter-field.tsx';
import { ProxyEvent } from '../../qmp/wire.ts';

const OUTCOME_STYLE: Record<AuditLine['outcome'], string> = {
  ok: 'text-emerald-800 dark:text-emerald-300',
  error: 'text-red-700 dark:text-red-300',
  refused: 'text-amber-800 dark:text-amber-300',
  'outcome-unknown': 'text-amber-800 dark:text-amber-300',
  timeout: 'text-amber-800 dark:text-amber-300',
  'not-sent': 'text-slate-600 dark:text-slate-400',
};

function Line({ line }: { line: AuditLine }) {
  const args = line.arguments === undefined ? '' : JSON.stringify(line.arguments);
  return (
    <li className="flex flex-col gap-0.5 border-b border-slate-100 px-3 py-1 text-xs dark:border-slate-800">
      <div className="flex flex-wrap items-baseline gap-2">
        <time dateTime={line.time} className="font-mono text-slate-600 dark:text-slate-400">
          {new Date(line.time).toLocaleTimeString()}
        </time>
        <span className="font-mono font-semibold">{line.command ?? '(connection)'}</span>
        <span className={OUTCOME_STYLE[line.outcome]}>{line.outcome}</span>
        <span className="text-slate-600 dark:text-slate-400">
          by {line.role ?? 'unknown'} from {line.peer}
        </span>
      </div>
      {line.error && (
        <p className="text-slate-700 dark:text-slate-300">
          {line.error.class}: {line.error.desc}
        </p>
      )}
      {args && <p className="font-mono break-all text-slate-600 dark:text-slate-400">{args}</p>}
    </li>
  );
}

export function matchesAudit(line: AuditLine, text: string): boolean {
  const needle = text.trim().toLowerCase();
  return !needle || JSON.stringify(line).toLowerCase().includes(needle);
}

export function AuditPanel() {
  const target = useTargetName();
  // A viewer is not asked for it at all: each refusal would be a line in the log itself.
  const viewer = useQuery(sessionOptions()).data?.role === 'viewer';
  const audit = useQuery({ ...auditOptions(target), enabled: !viewer });
  const queryClient = useQueryClient();
  // A command went through somewhere: its line is there now.
  useQmpEvent((event) => {
    if (event.event === ProxyEvent.CommandDone)
      void queryClient.invalidateQueries({ queryKey: auditKey(target) });
  });
  const [filter, setFilter] = useState('');
  const deferred = useDeferredValue(filter);

  if (viewer || (audit.error instanceof HttpError && audit.error.status === 403)) {
    return (
      <p className="px-3 py-2 text-sm text-slate-600 dark:text-slate-400">
        Only an operator session can read the audit log (it names every operator&apos;s commands and
        where they came from).
      </p>
    );
  }
  if (audit.isError) {
    return (
      <p role="alert" className="px-3 py-2 text-sm text-red-700 dark:text-red-300">
        Cannot read the audit log: {audit.error.message}
      </p>
    );
  }
  if (!audit.data) {
    return <p className="px-3 py-2 text-sm text-slate-600 dark:text-slate-400">Reading…</p>;
  }
  const lines = audit.data.entries;
  const shown = lines.filter((l) => matchesAudit(l, deferred)).reverse();
  return (
    <div className="flex flex-col">
      <div className="flex items-center gap-2 px-3 py-2">
        <FilterField
          value={filter}
          onChange={setFilter}
          label="Filter the audit log"
          placeholder="Filter: a command, node, job id, outcome…"
        />
        <span className="text-xs text-slate-600 dark:text-slate-400" aria-live="polite">
          {shown.length} of {lines.length}
        </span>
      </div>
      <p className="px-3 pb-1 text-xs text-slate-600 dark:text-slate-400">
        The server&apos;s latest {lines.length === 1 ? 'line' : 'lines'} for this target: every
        command that changes something, and every refusal, from every session.{' '}
        {audit.data.onDisk
          ? 'The whole log is in the server’s --audit-log file.'
          : 'Kept in memory only: start the server with --audit-log FILE to keep them on disk.'}
      </p>
      {lines.length === 0 ? (
        <p className="px-3 py-2 text-sm text-slate-600 dark:text-slate-400">
          Nothing yet: no session has changed anything on this target since the server started.
        </p>
      ) : (
        <ol aria-label="Audit lines">
          {shown.map((line, i) => (
            <Line key={`${line.time}-${shown.length - i}`} line={line} />
          ))}
        </ol>
      )}
    </div>
  );
}
