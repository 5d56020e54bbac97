// Every QMP event of the target, newest first, from the proxy's history of it on, filterable by
// name or by anything in its data (a job id, a node), with the proxy's per-command notices left
// out unless asked for (shown as a sentence when they are). Bursts of identical events are one
// row with a count (event-coalesce.ts). Payloads are shown as JSON text, never HTML.
import { useDeferredValue, useId, useState } from 'react';
import { useTargetName } from '../../api/qmp-context.tsx';
import { FilterField } from '../../components/filter-field.tsx';
import { eventLogFor, useEventLogRows } from './event-log-store.ts';
import {
  COMMAND_NOTICE,
  commandSentence,
  eventNames,
  filterRows,
  type EventRow,
} from './event-coalesce.ts';

function clock(epochMs: number): string {
  const d = new Date(epochMs);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

function Row({ row }: { row: EventRow }) {
  const span = row.lastT - row.firstT;
  return (
    <li className="flex gap-2 border-b border-slate-100 px-3 py-1 font-mono text-xs dark:border-slate-800">
      <time
        dateTime={new Date(row.firstT).toISOString()}
        className="shrink-0 text-slate-500 dark:text-slate-400"
      >
        {clock(row.firstT)}
      </time>
      <span className="shrink-0 font-semibold">
        {row.name === COMMAND_NOTICE ? 'Command' : row.name}
      </span>
      {row.count > 1 && (
        <span
          className="shrink-0 rounded bg-amber-100 px-1 text-amber-900 dark:bg-amber-950 dark:text-amber-200"
          title={`${row.count} identical events within ${span} ms`}
        >
          ×{row.count}
          {span > 0 ? ` in ${span} ms` : ' in 1 ms'}
        </span>
      )}
      {row.name === COMMAND_NOTICE ? (
        <span className="min-w-0 break-all text-slate-600 dark:text-slate-400">
          {commandSentence(row.data)}
        </span>
      ) : (
        row.data && (
          <span className="min-w-0 break-all text-slate-600 dark:text-slate-400">
            {JSON.stringify(row.data)}
          </span>
        )
      )}
    </li>
  );
}

export function EventLogPanel() {
  const target = useTargetName();
  const rows = useEventLogRows(target);
  const [filter, setFilter] = useState('');
  const [commandNotices, setCommandNotices] = useState(false);
  const deferred = useDeferredValue(filter);
  const shown = filterRows(rows, { text: deferred, commandNotices });
  const notices = rows.filter((r) => r.name === COMMAND_NOTICE).length;
  // Read with the rows: it changes only when they are seeded from the proxy's history.
  const dropped = eventLogFor(target).dropped;
  const listId = useId();
  return (
    <div className="flex flex-col">
      <div className="flex items-center gap-2 px-3 py-2">
        <FilterField
          value={filter}
          onChange={setFilter}
          label="Filter events"
          placeholder="Filter by name or data, e.g. BLOCK_JOB or a job id"
          list={listId}
        />
        <datalist id={listId}>
          {eventNames(rows).map((name) => (
            <option key={name} value={name} />
          ))}
        </datalist>
        <label
          className="flex shrink-0 items-center gap-1 text-xs text-slate-600 dark:text-slate-400"
          title={`${COMMAND_NOTICE}: the proxy's notice after each mutating command that succeeded, from any session`}
        >
          <input
            type="checkbox"
            checked={commandNotices}
            onChange={(e) => setCommandNotices(e.target.checked)}
          />
          Commands run ({notices})
        </label>
        <span className="text-xs text-slate-500 dark:text-slate-400" aria-live="polite">
          {shown.length} of {rows.length}
        </span>
        <button
          type="button"
          onClick={() => eventLogFor(target).clear()}
          className="rounded border border-slate-300 px-2 py-0.5 text-xs hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800"
        >
          Clear
        </button>
      </div>
      {dropped > 0 && (
        <p className="px-3 pb-1 text-xs text-slate-500">
          {dropped} older event{dropped > 1 ? 's' : ''} of this target no longer kept by the server.
        </p>
      )}
      {rows.length === 0 ? (
        <p className="px-3 py-2 text-sm text-slate-500 dark:text-slate-400">
          No events yet. QEMU's events (job changes, exports, device changes) appear here as they
          arrive.
        </p>
      ) : (
        <ol aria-label="Events" className="flex flex-col-reverse">
          {shown.map((row) => (
            <Row key={row.seq} row={row} />
          ))}
        </ol>
      )}
    </div>
  );
}
