// Snapshot panel: an external qcow2 overlay above the node; the graph then shows the longer chain.
import { useMemo, useState } from 'react';
import { TextField, problemFor } from '../fields.tsx';
import { PlanReview } from '../plan-review.tsx';
import type { LiveState } from '../plans/live-state.ts';
import { defaultSnapshotInput, planSnapshot, type SnapshotInput } from '../plans/snapshot.ts';
import { usePathLookup } from '../use-path-lookup.ts';
import { NewPathField } from './new-path-field.tsx';

export function SnapshotPanel({ live, node }: { live: LiveState; node: string }) {
  const [input, setInput] = useState<SnapshotInput>(() => defaultSnapshotInput(live, node));
  const lookup = usePathLookup(input.path);
  const result = useMemo(() => planSnapshot(live, { ...input, lookup }), [live, input, lookup]);
  const problems = result.ok ? [] : result.problems;
  return (
    <div className="flex flex-col gap-3">
      <NewPathField
        label="Overlay path"
        path={input.path}
        lookup={lookup}
        creates
        overwrite={input.overwrite}
        onPathChange={(path) => setInput({ ...input, path, overwrite: undefined })}
        onOverwriteChange={(overwrite) => setInput({ ...input, overwrite })}
        problems={problems}
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
