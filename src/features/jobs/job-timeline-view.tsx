// A job's history as a list: time, what happened, and how often (bursts are counted).
import { formatClock } from './job-format.ts';
import type { JobHistory } from './job-timeline.ts';

const KIND_TONE: Record<string, string> = {
  status: 'text-slate-700 dark:text-slate-300',
  ready: 'text-emerald-700 dark:text-emerald-400',
  pending: 'text-amber-700 dark:text-amber-400',
  completed: 'text-emerald-700 dark:text-emerald-400',
  cancelled: 'text-amber-700 dark:text-amber-400',
  error: 'text-red-700 dark:text-red-400',
};

export function JobTimeline({ history, open }: { history: JobHistory; open?: boolean }) {
  if (history.entries.length === 0) return null;
  return (
    <details open={open} className="text-xs">
      <summary className="cursor-pointer text-slate-600 dark:text-slate-400">
        Timeline ({history.entries.length})
      </summary>
      <ol aria-label={`Timeline of ${history.id}`} className="mt-1 space-y-0.5 font-mono">
        {history.entries.map((entry, i) => (
          <li key={i} className={`flex gap-2 ${KIND_TONE[entry.kind] ?? ''}`}>
            <time
              dateTime={new Date(entry.t).toISOString()}
              className="text-slate-500 dark:text-slate-400"
            >
              {formatClock(entry.t)}
            </time>
            <span>{entry.text}</span>
            {entry.count > 1 && (
              <span className="rounded bg-red-100 px-1 text-red-800 dark:bg-red-950 dark:text-red-200">
                ×{entry.count}
              </span>
            )}
          </li>
        ))}
      </ol>
    </details>
  );
}
