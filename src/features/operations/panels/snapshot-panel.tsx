// Snapshot panel: an external qcow2 overlay above the node; the graph then shows the longer chain.
import { useMemo, useState } from 'react';
import { TextField, problemFor } from '../fields.tsx';
import { PlanReview } from '../plan-review.tsx';
import type { LiveState } from '../plans/live-state.ts';
import { defaultSnapshotInput, planSnapshot, type SnapshotInput } from '../plans/snapshot.ts';

export function SnapshotPanel({ live, node }: { live: LiveState; node: string }) {
  const [input, setInput] = useState<SnapshotInput>(() => defaultSnapshotInput(live, node));
  const result = useMemo(() => planSnapshot(live, input), [live, input]);
  const problems = result.ok ? [] : result.problems;
  return (
    <div className="flex flex-col gap-3">
      <TextField
        label="Overlay path"
        value={input.path}
        onChange={(path) => setInput({ ...input, path })}
        error={problemFor(problems, 'path')}
      />
      <TextField
        label="Overlay node name"
        value={input.snapshotNodeName}
        onChange={(snapshotNodeName) => setInput({ ...input, snapshotNodeName })}
        error={problemFor(problems, 'snapshot-node-name')}
      />
      <PlanReview result={result} confirmLabel="Take snapshot" />
    </div>
  );
}
