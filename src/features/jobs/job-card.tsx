// One job: what it is, where it copies, how far and how fast, what happened, and what can be
// done now. Everything shown comes from QEMU's last answer, the measured samples and the events.
import type { EndReport } from '../../api/plan-runs.ts';
import { useId, type ReactNode } from 'react';
import type { CreateTarget } from '../../api/jobs-queries.ts';
import type { JobRow } from './job-model.ts';
import type { JobEnds } from './job-graph-links.ts';
import { useRequestFocusNode } from './job-graph-links.ts';
import { estimateRate, type ProgressSample } from './job-rate.ts';
import { endStateWords, type JobHistory } from './job-timeline.ts';
import type { JobCommands } from './job-verbs.ts';
import { formatBytes, formatLimit } from '../../schema/units.ts';
import { formatDuration, statusWords } from './job-format.ts';
import { cardFigures, displayFraction, samplesForRate } from './job-figures.ts';
import { ProgressBar, Sparkline } from './job-progress.tsx';
import { JobControls } from './job-controls.tsx';
import { JobTimeline } from './job-timeline-view.tsx';

function NodeLink({ name }: { name: string }) {
  const requestFocusNode = useRequestFocusNode();
  return (
    <button
      type="button"
      onClick={() => requestFocusNode(name)}
      title="Show in the graph"
      className="font-mono text-sky-700 underline decoration-dotted hover:decoration-solid dark:text-sky-400"
    >
      {name}
    </button>
  );
}

function Metric({ label, value, title }: { label: string; value: string; title?: string }) {
  const id = useId();
  // A group named by its label rather than <dt>/<dd>: a <dl> may not hold elements with a role.
  return (
    <div role="group" aria-labelledby={id} title={title}>
      <div id={id} className="text-slate-500 dark:text-slate-400">
        {label}
      </div>
      <div className="tabular-nums">{value}</div>
    </div>
  );
}

/** "source → target"; with one end unknown only the other, in words: never a guessed name. */
function JobEndsLine({ ends }: { ends: JobEnds | undefined }) {
  if (!ends?.source && !ends?.target) return null;
  return (
    <p
      role="group"
      aria-label="Source and target"
      className="flex flex-wrap items-center gap-1 text-xs"
    >
      {ends.source && ends.target ? (
        <>
          <NodeLink name={ends.source} />
          <span aria-hidden>→</span>
          <span className="sr-only">to</span>
          <NodeLink name={ends.target} />
        </>
      ) : ends.source ? (
        <>
          <span className="text-slate-500 dark:text-slate-400">from</span>
          <NodeLink name={ends.source} />
        </>
      ) : (
        <>
          <span className="text-slate-500 dark:text-slate-400">into</span>
          <NodeLink name={ends.target!} />
        </>
      )}
    </p>
  );
}

/** A creation job: the file it creates, or the node whose file it formats, as the proxy saw it. */
function CreatesLine({ creates }: { creates: CreateTarget | undefined }) {
  if (!creates) return null;
  const size = creates.size ? ` (${formatBytes(creates.size)})` : '';
  return (
    <p aria-label="Creates" className="flex flex-wrap items-center gap-1 text-xs">
      <span className="text-slate-500 dark:text-slate-400">creates</span>
      {creates.filename ? (
        <>
          <span>{creates.driver}</span>
          <span className="font-mono break-all">{creates.filename}</span>
        </>
      ) : creates.node ? (
        <>
          <span>a {creates.driver} image on</span>
          <NodeLink name={creates.node} />
        </>
      ) : (
        <span>a {creates.driver} image</span>
      )}
      {size && <span className="text-slate-500 dark:text-slate-400">{size}</span>}
    </p>
  );
}

export interface JobCardProps {
  job: JobRow;
  history: JobHistory | undefined;
  samples: readonly ProgressSample[];
  ends: JobEnds | undefined;
  /** For a creation job: what it creates (from the proxy; absent when it did not see it). */
  creates?: CreateTarget;
  commands: JobCommands;
  /** Browser time of QEMU's last answer, the "now" of every figure on the card. */
  now: number;
  /** No controls: the connection is down (figures are the last known) or the session is a viewer's. */
  readOnly?: boolean;
  /** Shown instead of the controls: another tool's way to control the job (a libvirt guest's). */
  controls?: ReactNode;
}

export function JobCard(props: JobCardProps) {
  const { job, history, samples, ends, creates, commands, now, readOnly, controls } = props;
  const full = estimateRate(samples, { speed: job.speed });
  // The bar and the ETA from every sample; a quiet job's rate only from what moved since.
  const recent = samplesForRate(job, history, samples);
  const estimate =
    recent === samples ? full : { ...full, rate: estimateRate(recent, { speed: job.speed }).rate };
  const ready = job.status === 'ready' || job.status === 'standby';
  const failed = job.error !== undefined || (job.ioStatus !== undefined && job.ioStatus !== 'ok');
  const tone = failed ? 'error' : ready ? 'ready' : job.status === 'running' ? 'run' : 'idle';
  const errors = [...(history?.errors ?? [])];
  if (job.error && !errors.includes(job.error)) errors.push(job.error);

  const { rate, eta, elapsed } = cardFigures(job, history, samples, estimate, now);

  return (
    <article
      aria-label={`Job ${job.id}`}
      className={`flex flex-col gap-2  border-b border-slate-200 px-3 py-2.5 dark:border-slate-800`}
    >
      <header className="flex flex-wrap items-baseline gap-2">
        <span className="rounded bg-slate-200 px-1.5 text-xs uppercase tracking-wide dark:bg-slate-800">
          {job.type}
        </span>
        <span className="font-mono font-medium">{job.id}</span>
        <span
          role="status"
          aria-label={`Status of ${job.id}`}
          className={`ml-auto text-sm ${failed ? 'text-red-700 dark:text-red-300' : ready ? 'text-emerald-700 dark:text-emerald-400' : ''}`}
        >
          {statusWords(job.status, job.ioStatus, job.error)}
        </span>
      </header>
      {ready && job.type === 'mirror' && (
        <p className="text-xs text-emerald-700 dark:text-emerald-400">
          Ready: the target mirrors every write; Complete switches the disk over.
          {job.activelySynced && ' Actively synced (writes go to both sides).'}
        </p>
      )}
      <JobEndsLine ends={ends} />
      {job.type === 'create' && <CreatesLine creates={creates} />}
      <div className="flex items-end gap-3">
        <div className="min-w-0 flex-1">
          <ProgressBar
            jobId={job.id}
            fraction={displayFraction(job, estimate)}
            current={job.current}
            total={job.total}
            tone={tone}
          />
        </div>
        <Sparkline samples={samples} />
      </div>
      <div className="grid grid-cols-4 gap-2 text-xs">
        <Metric label="Rate" value={rate} title="Measured over the last 5 s (not the limit)" />
        <Metric
          label={ready ? 'Dirty' : 'ETA (estimate)'}
          value={ready ? `${eta}, ${formatBytes(estimate.remaining)}` : eta}
          title="Estimated from the measured rate; restarts when the total changes"
        />
        <Metric label="Limit" value={job.speed === undefined ? 'n/a' : formatLimit(job.speed)} />
        <Metric label="Elapsed" value={elapsed} />
      </div>
      {errors.length > 0 && (
        <ul aria-label={`Errors of ${job.id}`} className="text-xs text-red-700 dark:text-red-300">
          {errors.map((e) => (
            <li key={e}>{e}</li>
          ))}
        </ul>
      )}
      {controls ?? (!readOnly && <JobControls job={job} commands={commands} />)}
      {history && <JobTimeline history={history} />}
    </article>
  );
}

/** From `created` to `concluded` as they arrived (the proxy's arrival times after a reload). */
function tookWords(history: JobHistory): string | undefined {
  const { seenCreatedAt: from, seenConcludedAt: to } = history;
  if (from === undefined || to === undefined || to < from) return undefined;
  return formatDuration((to - from) / 1000);
}

/** A job QEMU no longer lists, kept with its outcome until cleared. */
export function FinishedJobCard({
  history,
  end,
  steps,
}: {
  history: JobHistory;
  end?: EndReport;
  /** Image creations made for this job (foldSteps), shown folded under it. */
  steps?: readonly JobHistory[] | undefined;
}) {
  const outcome = endStateWords(history);
  const failed = history.outcome === 'failed';
  const took = tookWords(history);
  const by = history.finish?.role;
  return (
    <article
      aria-label={`Job ${history.id}`}
      className="flex flex-col gap-1 border-b border-slate-200 px-3 py-2 opacity-90 dark:border-slate-800"
    >
      <header className="flex items-baseline gap-2">
        {history.type && (
          <span className="rounded bg-slate-200 px-1.5 text-xs uppercase tracking-wide dark:bg-slate-800">
            {history.type}
          </span>
        )}
        <span className="font-mono">{history.id}</span>
        <span
          role="status"
          aria-label={`Status of ${history.id}`}
          className={`ml-auto text-sm ${failed ? 'text-red-700 dark:text-red-300' : 'text-slate-600 dark:text-slate-400'}`}
        >
          {outcome}
        </span>
      </header>
      {(took !== undefined || by) && (
        <p className="text-xs text-slate-600 dark:text-slate-400">
          {took !== undefined && <span aria-label={`Elapsed of ${history.id}`}>Took {took}</span>}
          {took !== undefined && by && '; '}
          {by && history.finish && (
            <span>
              {history.finish.command} by {by}
            </span>
          )}
        </p>
      )}
      {history.errors.length > 0 && (
        <ul
          aria-label={`Errors of ${history.id}`}
          className="text-xs text-red-700 dark:text-red-300"
        >
          {history.errors.map((e) => (
            <li key={e}>{e}</li>
          ))}
        </ul>
      )}
      {end && <PlanEndNote end={end} />}
      {steps && steps.length > 0 && (
        <details className="text-xs text-slate-600 dark:text-slate-400">
          <summary className="cursor-pointer">
            {steps.length} image creation{steps.length > 1 ? 's' : ''} before it (
            {steps.map((s) => s.id).join(', ')})
          </summary>
          {steps.map((s, i) => (
            <FinishedJobCard key={`${s.id}-${i}`} history={s} />
          ))}
        </details>
      )}
      <JobTimeline history={history} />
    </article>
  );
}

/** What Blockscope did once the job of a plan it ran had ended. */
function PlanEndNote({ end }: { end: EndReport }) {
  const list = (names: string[]) => names.map((n) => `'${n}'`).join(', ');
  return (
    <div aria-label={`After ${end.job}`} className="text-xs text-slate-600 dark:text-slate-300">
      {end.closed.length > 0 && <p>Closed {list(end.closed)}: nothing used them any more.</p>}
      {end.outcome === 'failed' && <p>Everything the plan had set up was undone.</p>}
      {end.incompleteFiles.map((f) => (
        <p key={f}>
          Left incomplete on disk: <code className="break-all">{f}</code>
        </p>
      ))}
      {end.problems.map((p) => (
        <p key={p} className="text-amber-800 dark:text-amber-300">
          {p}
        </p>
      ))}
    </div>
  );
}
