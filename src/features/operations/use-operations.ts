// The operations feature's link to QEMU: the live state for planning (derived from the graph's
// reads, use-graph-live-state.ts), and a runner hook that executes a confirmed plan, reports each
// step, and has the graph re-read afterwards.
import { useMutation, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useCallback, useState } from 'react';
import { backupLedgerKey } from '../../api/backup-ledger-queries.ts';
import { nbdServerKey } from '../../api/nbd-server-queries.ts';
import { graphRereadsOf } from '../../api/block-graph-queries.ts';
import { nextJobsFrom } from '../../api/job-updates.ts';
import { planRunKey } from '../../api/plan-runs.ts';
import { fileLookupOptions, fileLookupsKey } from '../../api/file-lookup-queries.ts';
import { useQmpClient, useTargetName } from '../../api/qmp-context.tsx';
import { schemaKey } from '../../api/schema-queries.ts';
import type { BackupLedgerData } from '../../qmp/backup-records.ts';
import { UNKNOWN_NBD_SERVER, type NbdServerState } from '../../qmp/nbd-server.ts';
import type { SchemaIndex } from '../../schema/schema-index.ts';
import type { JobInfo, LiveState } from './plans/live-state.ts';
import { fetchLiveState } from './use-graph-live-state.ts';
import type { Plan } from './plans/types.ts';
import { runPlan, type RunResult, type StepState } from './run-plan.ts';

export { useLiveState } from './use-graph-live-state.ts';

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
        // Coalesced with the re-read the proxy's X_BLOCKSCOPE_COMMAND_DONE events schedule.
        graphRereadsOf(queryClient, target).flush(),
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
        readLive: () => fetchLiveState(queryClient, client, target, planBase(queryClient, target)),
      });
      update({ running: false, result });
      return result;
    },
    onSettled: () => refresh(),
  });
  const { mutateAsync } = mutation;
  const start = useCallback((plan: Plan) => mutateAsync(plan), [mutateAsync]);
  return { run, start, reset: useCallback(() => setRun(null), []) };
}

/** What a plan's end phase knows besides QEMU's reads: the proxy's records, the schema's commands. */
function planBase(queryClient: QueryClient, target: string) {
  const ledger = queryClient.getQueryData<BackupLedgerData>(backupLedgerKey(target));
  const schema = queryClient.getQueryData<SchemaIndex>(schemaKey(target));
  return {
    nbdServer: queryClient.getQueryData<NbdServerState>(nbdServerKey(target)) ?? UNKNOWN_NBD_SERVER,
    commands: new Set(schema?.commands.keys() ?? []),
    ...(ledger ? { backups: ledger.backups } : {}),
  } satisfies Partial<LiveState>;
}
