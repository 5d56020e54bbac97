// Commit and stream, the two directions along a backing chain, picked on the chain as drawn.
// Commit writes upper layers down into a base (an active commit says it will need Complete);
// stream copies lower layers up into a node. Each is its own operation with its own title.
import { useMemo, useState } from 'react';
import {
  AmountField,
  CheckField,
  SelectField,
  TextField,
  problemFor,
  useInvalidFields,
} from '../fields.tsx';
import { PlanReview } from '../plan-review.tsx';
import {
  defaultCommitInput,
  defaultStreamInput,
  imageLayers,
  isActiveCommit,
  planCommit,
  planStream,
  type CommitInput,
} from '../plans/commit.ts';
import type { LiveState } from '../plans/live-state.ts';
import { suggestJobId } from '../plans/names.ts';

export function CommitPanel({
  live,
  node,
  mode,
}: {
  live: LiveState;
  node: string;
  mode: 'commit' | 'stream';
}) {
  const [input, setInput] = useState<CommitInput>(() => defaultCommitInput(live, node));
  const [streamBase, setStreamBase] = useState('');
  const [streamJob, setStreamJob] = useState(() => defaultStreamInput(live, node).jobId);
  const [speed, setSpeed] = useState(0);
  const [keepNodes, setKeepNodes] = useState(false);
  const invalid = useInvalidFields();
  const set = (patch: Partial<CommitInput>) => setInput((old) => ({ ...old, ...patch }));
  const layers = imageLayers(live, input.device);

  const result = useMemo(() => {
    if (invalid.problems.length > 0) return { ok: false as const, problems: invalid.problems };
    if (mode === 'stream') {
      return planStream(live, {
        device: input.top,
        base: streamBase || undefined,
        jobId: streamJob,
        speed: speed || undefined,
        keepNodes,
      });
    }
    return planCommit(live, { ...input, speed: speed || undefined, keepNodes });
  }, [live, mode, input, streamBase, streamJob, speed, keepNodes, invalid.problems]);
  const problems = result.ok ? [] : result.problems;
  const below = layers.slice(layers.indexOf(input.top) + 1);

  return (
    <div className="flex flex-col gap-3">
      <p className="text-sm">
        Chain of <strong>{input.device}</strong>: {layers.join(' → ')}
      </p>
      <p className="text-xs text-slate-600 dark:text-slate-300">
        {mode === 'commit'
          ? 'Commit writes the upper layers down into a base; the layers above it are dropped.'
          : 'Stream copies the lower layers up into a node; the layers below it are dropped.'}
      </p>
      <div className="grid grid-cols-2 gap-2">
        <SelectField
          label={mode === 'commit' ? 'Top (first layer to commit)' : 'Node to stream into'}
          value={input.top}
          onChange={(top) => {
            const rest = layers.slice(layers.indexOf(top) + 1);
            set({ top, base: rest[0] ?? '', jobId: suggestJobId(live, 'commit', top) });
          }}
          options={layers.slice(0, -1)}
          error={problemFor(problems, 'top')}
        />
        {mode === 'commit' ? (
          <SelectField
            label="Base (receives the data)"
            value={input.base}
            onChange={(base) => set({ base })}
            options={below}
            error={problemFor(problems, 'base')}
          />
        ) : (
          <SelectField
            label="Stream down to (exclusive)"
            value={streamBase}
            onChange={setStreamBase}
            options={[
              { value: '', label: '(the whole chain)' },
              ...below.slice(1).map((b) => ({ value: b, label: b })),
            ]}
            error={problemFor(problems, 'base')}
          />
        )}
        {mode === 'commit' ? (
          <TextField
            label="Job id"
            value={input.jobId}
            onChange={(jobId) => set({ jobId })}
            error={problemFor(problems, 'job-id')}
          />
        ) : (
          <TextField
            label="Job id"
            value={streamJob}
            onChange={setStreamJob}
            error={problemFor(problems, 'job-id')}
          />
        )}
        <AmountField
          label="Speed limit"
          unit="bytes/s"
          onChange={setSpeed}
          onInvalid={invalid.report}
        />
      </div>
      {mode === 'commit' && isActiveCommit(live, input) && (
        <p className="text-xs text-slate-600 dark:text-slate-300">
          This is an active commit: once the job is ready, Complete it in the jobs panel to switch
          the disk to the base.
        </p>
      )}
      <CheckField
        label="Keep the layers this drops open afterwards (by default they are closed)"
        checked={keepNodes}
        onChange={setKeepNodes}
      />
      <PlanReview
        result={result}
        confirmLabel={mode === 'commit' ? 'Start commit' : 'Start stream'}
      />
    </div>
  );
}
