// "Remove node": asks first, naming the node and the nodes below it that go with it, then runs
// the blockdev-del plan through the operations' runner and shows QEMU's answer. The plan is made
// from a fresh read of the live state, whatever the graph showed when the button was pressed.
import { useQueryClient } from '@tanstack/react-query';
import { graphRereadsOf } from '../../api/block-graph-queries.ts';
import { useEffect, useId, useState } from 'react';
import { useTargetName } from '../../api/qmp-context.tsx';
import { ModalDialog } from '../../components/modal-dialog.tsx';
import type { LiveState } from './plans/live-state.ts';
import { closableTree, listNames, planRemoveNodes } from './plans/node-removal.ts';
import { findNode } from './plans/graph-queries.ts';
import { PlanSteps } from './plan-review.tsx';
import { useLiveState, usePlanRunner } from './use-operations.ts';

const BUTTON =
  'rounded border border-slate-300 px-3 py-1 text-sm hover:bg-slate-100 disabled:opacity-50 dark:border-slate-700 dark:hover:bg-slate-800';
const DANGER =
  'rounded bg-red-600 px-3 py-1 text-sm font-medium text-white hover:bg-red-700 disabled:opacity-50';

/** The files the nodes have open (protocol nodes; a format node over an implicit file child). */
function filesOf(live: LiveState, nodes: string[]): string[] {
  const infos = nodes.map((n) => findNode(live, n)).filter((n) => n !== undefined);
  const files = infos.filter((n) => n.drv === 'file' || n.drv.startsWith('host_'));
  const shown = (files.length > 0 ? files : infos.slice(0, 1)).map((n) => n.file);
  return [...new Set(shown.filter((f) => f !== '' && !f.startsWith('json:')))];
}

export function RemoveNodeDialog({ node, onClose }: { node: string; onClose: () => void }) {
  const target = useTargetName();
  const titleId = useId();
  const textId = useId();
  // A fresh read: the plan must be made from what QEMU has now, not from the last cached read.
  const [openedAt] = useState(() => Date.now());
  const queryClient = useQueryClient();
  useEffect(() => void graphRereadsOf(queryClient, target).flush(), [queryClient, target]);
  const { live, error } = useLiveState(openedAt);
  const { run, start } = usePlanRunner();
  const [ran, setRan] = useState<ReturnType<typeof planRemoveNodes> | null>(null);

  const running = run?.running === true;

  // While and after the run, keep showing the plan that ran (the node is gone from later reads).
  const tree = live ? closableTree(live, node) : [];
  const result = ran ?? (live ? planRemoveNodes(live, tree.length > 0 ? tree : [node]) : null);
  const plan = result?.ok ? result.plan : undefined;
  const names = plan ? plan.steps.map((s) => String(s.arguments['node-name'])) : [node];
  const files = live && !ran ? filesOf(live, names) : [];
  const failure = run?.result && !run.result.ok ? run.result.failure : undefined;
  const done = run?.result?.ok === true;

  return (
    <ModalDialog
      role="alertdialog"
      labelledBy={titleId}
      describedBy={textId}
      width="w-[36rem]"
      closable={!running}
      onClose={onClose}
    >
      <h2 id={titleId} className="text-lg font-semibold break-all">
        Remove node &apos;{node}&apos;?
      </h2>
      {error && !live && (
        <p role="alert" className="text-red-700 dark:text-red-300">
          Cannot read the block layer: {error.message}
        </p>
      )}
      {!result && !error && (
        <p id={textId} className="text-slate-500 dark:text-slate-400">
          Reading the live state…
        </p>
      )}
      {result && !result.ok && (
        <div
          id={textId}
          role="alert"
          className="rounded bg-amber-50 p-2 text-amber-900 dark:bg-amber-950 dark:text-amber-100"
        >
          <p className="font-medium">Cannot remove it:</p>
          <ul className="list-disc pl-5">
            {result.problems.map((p) => (
              <li key={p.message}>{p.message}</li>
            ))}
          </ul>
        </div>
      )}
      {plan && (
        <p id={textId} className="break-words">
          Close node {listNames(names)}? Nothing uses {names.length > 1 ? 'them' : 'it'} now. QEMU
          lets go of {names.length > 1 ? 'them' : 'it'} and of the file&apos;s lock; the image file
          stays on disk{files.length > 0 ? `: ${files.join(', ')}` : ''}.
        </p>
      )}
      {plan && <PlanSteps plan={plan} run={run} />}
      {failure && (
        <div
          role="alert"
          className="rounded bg-red-50 p-2 text-red-900 dark:bg-red-950 dark:text-red-100"
        >
          <p>
            Step {failure.index + 1} ({failure.step.command}) failed:{' '}
            <strong>{failure.message}</strong>
          </p>
          {failure.hint && <p>What to do: {failure.hint}</p>}
          {failure.index > 0 && (
            <p>
              Closed before the failure: {listNames(names.slice(0, failure.index))}. Check the
              graph.
            </p>
          )}
        </div>
      )}
      {done && (
        <p
          role="status"
          className="rounded bg-emerald-50 p-2 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-100"
        >
          Done. Closed {listNames(names)}.
        </p>
      )}
      <div className="flex justify-end gap-2">
        {run && !running ? (
          <button type="button" className={BUTTON} onClick={onClose} autoFocus>
            Close
          </button>
        ) : (
          <>
            <button type="button" className={BUTTON} onClick={onClose} disabled={running} autoFocus>
              {plan ? 'Keep it' : 'Close'}
            </button>
            {plan && (
              <button
                type="button"
                className={DANGER}
                disabled={running}
                onClick={() => {
                  setRan(result);
                  void start(plan);
                }}
              >
                {running ? 'Removing…' : 'Remove node'}
              </button>
            )}
          </>
        )}
      </div>
    </ModalDialog>
  );
}
