// Mirror panel: prefilled from the selected node (new qcow2 next to it, generated job id);
// options for sync, speed, granularity and copy mode; drive-mirror when the user gives a path.
import { useMemo, useState } from 'react';
import { AdvancedForm, commandArguments } from '../advanced-form.tsx';
import {
  AmountField,
  CheckField,
  SelectField,
  TextField,
  ADVANCED_ARGUMENTS,
  problemFor,
  useInvalidFields,
} from '../fields.tsx';
import { PlanReview } from '../plan-review.tsx';
import type { LiveState } from '../plans/live-state.ts';
import {
  defaultMirrorInput,
  planDriveMirror,
  planMirror,
  type CopyMode,
  type MirrorInput,
  type MirrorSync,
} from '../plans/mirror.ts';
import { withPathLookup } from '../plans/target-image.ts';
import { usePathLookup } from '../use-path-lookup.ts';
import { TargetFields } from './target-fields.tsx';

export function MirrorPanel({ live, source }: { live: LiveState; source: string }) {
  const [input, setInput] = useState<MirrorInput>(() => defaultMirrorInput(live, source));
  const [useDriveMirror, setUseDriveMirror] = useState(false);
  const invalid = useInvalidFields();
  const set = (patch: Partial<MirrorInput>) => setInput((old) => ({ ...old, ...patch }));
  const lookup = usePathLookup(input.target.kind === 'node' ? null : input.target.path);

  const result = useMemo(() => {
    if (invalid.problems.length > 0) return { ok: false as const, problems: invalid.problems };
    const t = input.target;
    if (useDriveMirror && t.kind !== 'node') {
      return planDriveMirror(live, {
        source: input.source,
        path: t.path,
        format: t.format,
        mode: t.kind === 'existing-file' ? 'existing' : 'absolute-paths',
        lookup,
        overwrite: t.kind === 'new-image' ? t.overwrite : undefined,
        nodeName: t.nodeName,
        jobId: input.jobId,
        sync: input.sync,
        speed: input.speed,
        keepNodes: input.keepNodes,
        advanced: input.advanced,
      });
    }
    return planMirror(live, { ...input, target: withPathLookup(t, lookup) });
  }, [live, input, lookup, useDriveMirror, invalid.problems]);
  const problems = result.ok ? [] : result.problems;

  return (
    <div className="flex flex-col gap-3">
      <p className="text-sm">
        Source: <strong>{source}</strong>
      </p>
      <TargetFields
        live={live}
        source={source}
        value={input.target}
        onChange={(target) => set({ target })}
        problems={problems}
        lookup={lookup}
        backingHint="With sync 'top' only the top layer is copied: give the source's backing image here, so the new image reads complete."
      />
      <div className="grid grid-cols-2 gap-2">
        <TextField
          label="Job id"
          value={input.jobId}
          onChange={(jobId) => set({ jobId })}
          error={problemFor(problems, 'job-id')}
        />
        <SelectField<MirrorSync>
          label="Sync"
          value={input.sync}
          onChange={(sync) => set({ sync })}
          options={[
            { value: 'full', label: 'full — the whole disk' },
            { value: 'top', label: 'top — only the top layer' },
            { value: 'none', label: 'none — only new writes' },
          ]}
        />
        <AmountField
          label="Speed limit"
          unit="bytes/s"
          onChange={(v) => set({ speed: v || undefined })}
          onInvalid={invalid.report}
        />
        <AmountField
          label="Granularity"
          unit="bytes"
          placeholder="QEMU's default"
          error={problemFor(problems, 'granularity')}
          onChange={(v) => set({ granularity: v || undefined })}
          onInvalid={invalid.report}
        />
        <SelectField<CopyMode | ''>
          label="Copy mode"
          value={input.copyMode ?? ''}
          onChange={(v) => set({ copyMode: v === '' ? undefined : v })}
          options={[
            { value: '', label: 'background (default)' },
            { value: 'write-blocking', label: 'write-blocking — guest writes wait for the target' },
          ]}
        />
      </div>
      {input.target.kind !== 'node' && (
        <CheckField
          label="Use drive-mirror (QEMU opens or creates the path itself)"
          checked={useDriveMirror}
          onChange={setUseDriveMirror}
        />
      )}
      <CheckField
        label="Keep the nodes the switch-over leaves unused open (by default they are closed)"
        checked={input.keepNodes === true}
        onChange={(keepNodes) => set({ keepNodes })}
      />
      <AdvancedForm
        key={useDriveMirror ? 'drive-mirror' : 'blockdev-mirror'}
        command={useDriveMirror ? 'drive-mirror' : 'blockdev-mirror'}
        live={live}
        guidedArgs={commandArguments(result, useDriveMirror ? 'drive-mirror' : 'blockdev-mirror')}
        onChange={(v) => {
          invalid.report(ADVANCED_ARGUMENTS, v === undefined ? 'fix the fields marked' : undefined);
          if (v) set({ advanced: v });
        }}
      />
      <PlanReview result={result} confirmLabel="Start mirror" />
    </div>
  );
}
