// Plan runs are mutations under one key per target, so what a run did when its job ended stays
// readable after the dialog that started it has closed (the jobs panel shows it beside the job).
import { useMutationState } from '@tanstack/react-query';
import { targetKey } from './query-keys.ts';

export function planRunKey(target: string) {
  return [...targetKey(target), 'plan-run'] as const;
}

/** What the runner did after the job a plan started had ended. */
export interface EndReport {
  job: string;
  outcome: 'succeeded' | 'failed' | 'unknown';
  /** QEMU's error for a failed or cancelled job. */
  error?: string;
  /** Nodes closed because nothing used them after the job. */
  closed: string[];
  /** Files a failed or cancelled job left incomplete on disk. */
  incompleteFiles: string[];
  /** End steps QEMU refused, or why the run stopped following: what is left to look at. */
  problems: string[];
}

/** The end reports of this target's plan runs, newest last. */
export function usePlanEnds(target: string): EndReport[] {
  return useMutationState({
    filters: { mutationKey: planRunKey(target), status: 'success' },
    select: (mutation) => (mutation.state.data as { end?: EndReport } | undefined)?.end,
  }).filter((end): end is EndReport => end !== undefined);
}
