// Shows a plan before it runs: what will happen in words, each step with its exact QMP, the
// warnings; asks for confirmation; then shows progress, and QEMU's error with a hint on failure.
import { createContext, useContext, useState } from 'react';
import type { JobInfo } from './plans/live-state.ts';
import type { Plan, PlanResult } from './plans/types.ts';
import type { StepState } from './run-plan.ts';
import { usePlanRunner, type PlanRun } from './use-operations.ts';
import { CopyButton } from './copy-button.tsx';

const STATE_TEXT: Record<StepState, string> = {
  pending: '○',
  running: '…',
  waiting: '◔',
  done: '✓',
  failed: '✗',
  undone: '↶',
};

/**
 * Told when a plan starts running and when the operator goes back to the form: a dialog hides
 * its form meanwhile, since the live state the form re-plans against is the run's own doing.
 */
export const PlanRunStarted = createContext<(started: boolean) => void>(() => undefined);

export function PlanReview(props: {
  result: PlanResult | undefined;
  confirmLabel: string;
  onFinished?: (ok: boolean) => void;
}) {
  const { run, start, reset } = usePlanRunner();
  const started = useContext(PlanRunStarted);
  const [ran, setRan] = useState<PlanResult | undefined>(undefined);
  // While (and after) a run, keep showing the plan that ran, not the one the inputs now give.
  const shown = run ? ran : props.result;
  if (!shown)
    return <p className="text-sm text-slate-500 dark:text-slate-400">Reading the live state…</p>;
  if (!shown.ok) {
    return (
      <div
        role="alert"
        className="rounded bg-amber-50 p-2 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-100"
      >
        <p className="font-medium">Cannot start yet:</p>
        <ul className="list-disc pl-5">
          {shown.problems.map((p) => (
            <li key={`${p.field ?? ''}${p.message}`}>{p.message}</li>
          ))}
        </ul>
      </div>
    );
  }
  const { plan } = shown;
  const failure = run?.result && !run.result.ok ? run.result.failure : undefined;
  const succeeded = run?.result?.ok === true;
  const end = run?.result?.end;
  const following = run?.running === true && run.end === 'waiting';
  return (
    <div data-plan-review className="flex flex-col gap-2 text-sm">
      <p className="font-medium">{plan.summary}</p>
      {(plan.warnings ?? []).map((w) => (
        <p
          key={w}
          className="rounded bg-amber-50 px-2 py-1 text-amber-900 dark:bg-amber-950 dark:text-amber-100"
        >
          ⚠ {w}
        </p>
      ))}
      <div className="flex gap-2">
        {!run && (
          <button
            type="button"
            className="rounded bg-blue-600 px-3 py-1 font-medium text-white hover:bg-blue-700"
            onClick={() => {
              setRan(shown);
              started(true);
              void start(plan).then((r) => props.onFinished?.(r.ok));
            }}
          >
            {props.confirmLabel}
          </button>
        )}
        {run && !run.running && !succeeded && (
          <button
            type="button"
            className="rounded border px-3 py-1"
            onClick={() => {
              reset();
              started(false);
            }}
          >
            Back to the form
          </button>
        )}
      </div>
      {following && plan.end && (
        <div
          role="status"
          className="rounded bg-sky-50 p-2 text-sky-900 dark:bg-sky-950 dark:text-sky-100"
        >
          <p>
            Job <strong>{plan.end.job}</strong> is {run.job ? jobProgress(run.job) : 'starting'}.
            Blockscope finishes the plan when it ends, also with this dialog closed.
          </p>
        </div>
      )}
      {failure && (
        <div
          role="alert"
          className="rounded bg-red-50 p-2 text-red-900 dark:bg-red-950 dark:text-red-100"
        >
          <p>
            {failure.job ? (
              <>Job {failure.job} failed: </>
            ) : (
              <>
                Step {failure.index + 1} ({failure.step.command}) failed:{' '}
              </>
            )}
            <strong>{failure.message}</strong>
          </p>
          {failure.hint && <p>What to do: {failure.hint}</p>}
          {failure.job && <p>Everything this plan set up was undone.</p>}
          {end && end.incompleteFiles.length > 0 && (
            <p>
              Left incomplete on disk (not a usable copy):{' '}
              {end.incompleteFiles.map((f) => (
                <code key={f} className="break-all">
                  {f}
                </code>
              ))}
            </p>
          )}
          {failure.undoErrors.length > 0 && (
            <p>
              Could not undo everything: {failure.undoErrors.join('; ')}. Close what is left with
              Remove node in its details.
            </p>
          )}
        </div>
      )}
      {succeeded && (
        <div
          role="status"
          className="rounded bg-emerald-50 p-2 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-100"
        >
          <p>
            Done.
            {!end && plan.jobIds.length > 0
              ? ` Follow job ${plan.jobIds.join(', ')} in the jobs panel.`
              : ''}
            {end?.outcome === 'succeeded' && ` Job ${end.job} completed.`}
            {end?.outcome === 'unknown' && ` Stopped following job ${end.job}.`}
          </p>
          {end && end.closed.length > 0 && (
            <p>Closed {end.closed.map((n) => `'${n}'`).join(', ')}: nothing uses them any more.</p>
          )}
          {end && end.problems.length > 0 && (
            <p role="alert">Not finished: {end.problems.join('; ')}.</p>
          )}
          {plan.result?.uri && (
            <p className="flex items-center gap-2">
              <code aria-label="Export URI" className="break-all">
                {plan.result.uri}
              </code>
              <CopyButton text={plan.result.uri} label="Copy URI" />
            </p>
          )}
        </div>
      )}
      <PlanSteps plan={plan} run={run} />
    </div>
  );
}

/** A plan's steps in words, each with its state and its exact QMP, and how the plan ends. */
export function PlanSteps({ plan, run }: { plan: Plan; run: PlanRun | null }) {
  return (
    <ol aria-label="Steps" className="flex flex-col gap-1">
      {plan.steps.map((step, i) => (
        <li
          key={`${i}-${step.command}`}
          className="rounded border border-slate-200 p-1.5 dark:border-slate-700"
        >
          <span aria-hidden className="mr-1 inline-block w-4">
            {STATE_TEXT[run?.states[i] ?? 'pending']}
          </span>
          <span className="font-medium">{step.title}</span>
          <span className="sr-only"> ({run?.states[i] ?? 'pending'})</span>
          <p className="text-slate-600 dark:text-slate-300">{step.explanation}</p>
          <details>
            <summary className="cursor-pointer text-xs text-slate-500 dark:text-slate-400">
              QMP: {step.command}
            </summary>
            <pre className="overflow-auto rounded bg-slate-100 p-1 text-xs dark:bg-slate-800">
              {JSON.stringify({ execute: step.command, arguments: step.arguments }, null, 2)}
            </pre>
          </details>
        </li>
      ))}
      {plan.end && (
        <li className="rounded border border-slate-200 p-1.5 dark:border-slate-700">
          <span aria-hidden className="mr-1 inline-block w-4">
            {STATE_TEXT[run?.end ?? 'pending']}
          </span>
          <span className="font-medium">When job {plan.end.job} ends</span>
          <span className="sr-only"> ({run?.end ?? 'pending'})</span>
          <p className="text-slate-600 dark:text-slate-300">{plan.end.explanation}</p>
        </li>
      )}
    </ol>
  );
}

function jobProgress(job: JobInfo): string {
  const total = job['total-progress'];
  const percent = total > 0 ? Math.floor((job['current-progress'] / total) * 100) : 0;
  return `${job.status}, ${percent}% copied`;
}
