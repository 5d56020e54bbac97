// The operations feature's link to QEMU: a fresh read of the live state for planning, and a
// runner hook that executes a confirmed plan, reports each step, and refreshes the graph, the
// jobs and the NBD server record afterwards.
import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import { backupLedgerOptions } from '../../api/backup-ledger-queries.ts';
import { blockGraphKey } from '../../api/block-graph-queries.ts';
import { nextJobsFrom } from '../../api/job-updates.ts';
import { planRunKey } from '../../api/plan-runs.ts';
import { fileLookupOptions, fileLookupsKey } from '../../api/file-lookup-queries.ts';
import { jobsKey } from '../../api/jobs-queries.ts';
import { useQmpClient, useQmpEvent, useTargetName } from '../../api/qmp-context.tsx';
import { targetKey } from '../../api/query-keys.ts';
import type { QmpClient } from '../../qmp/client.ts';
import { rememberExportName, setNbdServer, useNbdServer } from '../exports/nbd-server-store.ts';
import { readLiveState, type JobInfo, type LiveState } from './plans/live-state.ts';
import { fromLegacySocketAddress } from './plans/nbd.ts';
import type { Plan } from './plans/types.ts';
import { runPlan, type RunResult, type StepState } from './run-plan.ts';

export function liveStateKey(target: string) {
  return [...targetKey(target), 'operations-live'] as const;
}

/**
 * Read when a panel opens and after each plan run; not under the graph's key, whose many
 * event-driven refreshes would multiply the commands in flight while a plan runs.
 */
export function liveStateOptions(client: QmpClient, target: string) {
  // One client per target (QmpProvider), so the target name identifies it in the key.
  // eslint-disable-next-line @tanstack/query/exhaustive-deps
  return queryOptions({
    queryKey: liveStateKey(target),
    queryFn: () => readLiveState(client),
    staleTime: 0,
  });
}

/** Events after which a plan's inputs may be out of date (jobs ending, exports going). */
const STALE_EVENTS = new Set([
  'BLOCK_EXPORT_DELETED',
  'BLOCK_JOB_COMPLETED',
  'BLOCK_JOB_CANCELLED',
  'BLOCK_JOB_READY',
  'DEVICE_DELETED',
]);

export function useLiveState(): { live: LiveState | undefined; error: Error | null } {
  const client = useQmpClient();
  const target = useTargetName();
  const queryClient = useQueryClient();
  const nbdServer = useNbdServer(target);
  const query = useQuery(liveStateOptions(client, target));
  const ledger = useQuery(backupLedgerOptions(target)).data;
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useQmpEvent((event) => {
    if (event.event === 'X_BLOCKSCOPE_TARGET_STATE') {
      // QEMU went away: a QEMU that comes back is a new process with no NBD server, and all
      // live state (exports, nodes, jobs) must be read again once it is connected.
      if (event.data?.state === 'disconnected') setNbdServer(target, { state: 'unknown' });
      void queryClient.invalidateQueries({ queryKey: liveStateKey(target) });
      return;
    }
    const ended =
      event.event === 'JOB_STATUS_CHANGE' &&
      ['concluded', 'null'].includes(String(event.data?.status));
    if (!ended && !STALE_EVENTS.has(event.event)) return;
    // Coalesced: a job's end brings several events at once.
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      void queryClient.invalidateQueries({ queryKey: liveStateKey(target) });
    }, 250);
  });
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );
  const backups = ledger ? { backups: ledger.backups } : {};
  return {
    live: query.data ? { ...query.data, nbdServer, ...backups } : undefined,
    error: query.error,
  };
}

export interface PlanRun {
  states: StepState[];
  running: boolean;
  /** The end phase of a plan that follows its job (plan.end). */
  end?: StepState;
  /** The followed job's latest state from the proxy's shared poll. */
  job?: JobInfo;
  result?: RunResult;
}

export function usePlanRunner(): {
  run: PlanRun | null;
  start: (plan: Plan) => Promise<RunResult>;
  reset: () => void;
} {
  const client = useQmpClient();
  const target = useTargetName();
  const queryClient = useQueryClient();
  const [run, setRun] = useState<PlanRun | null>(null);
  const refresh = useCallback(
    () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: blockGraphKey(target) }),
        queryClient.invalidateQueries({ queryKey: jobsKey(target) }),
        queryClient.invalidateQueries({ queryKey: liveStateKey(target) }),
        // A plan may have made files: what the look-ups said is out of date.
        queryClient.invalidateQueries({ queryKey: fileLookupsKey(target) }),
      ]),
    [queryClient, target],
  );
  const mutation = useMutation({
    mutationKey: planRunKey(target),
    // Kept for the jobs panel's finished list, which shows what the run did at the job's end.
    gcTime: 60 * 60_000,
    mutationFn: async (plan: Plan) => {
      let progress: PlanRun = { states: plan.steps.map(() => 'pending'), running: true };
      const update = (patch: Partial<PlanRun>) => {
        progress = { ...progress, ...patch };
        setRun(progress);
      };
      update({});
      const result = await runPlan(client, plan, {
        onStep: (index, state) =>
          update({ states: progress.states.map((s, i) => (i === index ? state : s)) }),
        onEnd: (end) => {
          update({ end });
          // The steps are done and the job runs: show what they changed now, not at its end.
          if (end === 'waiting') refresh();
        },
        onJob: (job) => update({ job }),
        jobUpdates: { next: (signal) => nextJobsFrom(client, signal) },
        lookUpPath: (path) => queryClient.fetchQuery(fileLookupOptions(target, path)),
      });
      rememberNbdServer(target, plan, result);
      update({ running: false, result });
      return result;
    },
    onSettled: () => refresh(),
  });
  const { mutateAsync } = mutation;
  const start = useCallback((plan: Plan) => mutateAsync(plan), [mutateAsync]);
  return { run, start, reset: useCallback(() => setRun(null), []) };
}

function rememberNbdServer(target: string, plan: Plan, result: RunResult): void {
  const failedAt = result.ok ? plan.steps.length : result.failure.index;
  plan.steps.slice(0, failedAt).forEach((step) => {
    if (step.command === 'nbd-server-start') {
      const address = fromLegacySocketAddress(step.arguments.addr);
      // A failed plan undid the start; only a completed one leaves the server running.
      if (address && result.ok) setNbdServer(target, { state: 'running', address });
    }
    if (step.command === 'nbd-server-stop') setNbdServer(target, { state: 'stopped' });
    if (step.command === 'block-export-add' && typeof step.arguments.name === 'string') {
      rememberExportName(target, String(step.arguments.id), step.arguments.name);
    }
  });
  if (!result.ok && /NBD server not running/.test(result.failure.message)) {
    setNbdServer(target, { state: 'stopped' });
  }
}
