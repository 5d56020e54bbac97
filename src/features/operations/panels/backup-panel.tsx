// Backup panel: full, top, incremental or bitmap sync, optionally starting a new bitmap in the
// same transaction; and the source's bitmaps with their actions (enable, disable, clear, merge,
// remove, add).
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
import {
  defaultBackupInput,
  planBackup,
  suggestBitmap,
  withBitmap,
  type BackupInput,
  type BackupSync,
  type BitmapMode,
} from '../plans/backup.ts';
import { bitmapOriginOf, bitmapsOf } from '../plans/bitmaps.ts';
import type { LiveState } from '../plans/live-state.ts';
import { withPathLookup } from '../plans/target-image.ts';
import { usePathLookup } from '../use-path-lookup.ts';
import { BitmapList } from './bitmap-list.tsx';
import { TargetFields } from './target-fields.tsx';

export function BackupPanel({ live, source }: { live: LiveState; source: string }) {
  const [input, setInput] = useState<BackupInput>(() => defaultBackupInput(live, source));
  const invalid = useInvalidFields();
  const set = (patch: Partial<BackupInput>) => setInput((old) => ({ ...old, ...patch }));
  const bitmaps = bitmapsOf(live, source);
  const incremental = input.sync === 'incremental' || input.sync === 'bitmap';
  const lookup = usePathLookup(input.target.kind === 'node' ? null : input.target.path);

  const result = useMemo(
    () =>
      invalid.problems.length > 0
        ? { ok: false as const, problems: invalid.problems }
        : planBackup(live, { ...input, target: withPathLookup(input.target, lookup) }),
    [live, input, lookup, invalid.problems],
  );
  const problems = result.ok ? [] : result.problems;

  const setSync = (sync: BackupSync) => {
    const uses = sync === 'incremental' || sync === 'bitmap';
    setInput((old) => ({
      ...withBitmap(live, old, uses ? (old.bitmap ?? suggestBitmap(live, source)) : undefined),
      sync,
      bitmapMode: sync === 'bitmap' ? (old.bitmapMode ?? 'on-success') : undefined,
      newBitmap: uses ? undefined : old.newBitmap,
    }));
  };
  // Bitmaps whose full backup did not complete are listed, marked, and refused by the plan.
  const bitmapOptions = bitmaps.map((b) => {
    const origin = bitmapOriginOf(live, source, b.name);
    const mark =
      origin.kind === 'untrusted'
        ? ' — untrusted, full backup incomplete'
        : origin.kind === 'waiting'
          ? ' — full backup still running'
          : origin.kind === 'unknown'
            ? ' — origin unknown'
            : '';
    return { value: b.name, label: `${b.name}${mark}` };
  });

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
        backingHint="For an incremental backup: the previous backup, so the new image reads complete."
      />
      <div className="grid grid-cols-2 gap-2">
        <TextField
          label="Job id"
          value={input.jobId}
          onChange={(jobId) => set({ jobId })}
          error={problemFor(problems, 'job-id')}
        />
        <SelectField<BackupSync>
          label="Sync"
          value={input.sync}
          onChange={setSync}
          options={[
            { value: 'full', label: 'full — the whole disk' },
            { value: 'top', label: 'top — only the top layer' },
            { value: 'incremental', label: 'incremental — changes a bitmap recorded' },
            { value: 'bitmap', label: 'bitmap — with a chosen bitmap mode' },
          ]}
        />
        {incremental && (
          <SelectField
            label="Bitmap"
            value={input.bitmap ?? ''}
            onChange={(bitmap) => setInput((old) => withBitmap(live, old, bitmap || undefined))}
            options={[{ value: '', label: '' }, ...bitmapOptions]}
            error={problemFor(problems, 'bitmap')}
          />
        )}
        {input.sync === 'bitmap' && (
          <SelectField<BitmapMode>
            label="Bitmap mode"
            value={input.bitmapMode ?? 'on-success'}
            onChange={(bitmapMode) => set({ bitmapMode })}
            options={['on-success', 'always', 'never']}
          />
        )}
        <AmountField
          label="Speed limit"
          unit="bytes/s"
          onChange={(v) => set({ speed: v || undefined })}
          onInvalid={invalid.report}
        />
      </div>
      {!incremental && (
        <div className="flex flex-col gap-1">
          <CheckField
            label="Start recording changes for the next incremental backup (same transaction)"
            checked={input.newBitmap !== undefined}
            onChange={(on) =>
              set({ newBitmap: on ? { name: `${source}-changes`.slice(0, 31) } : undefined })
            }
          />
          {input.newBitmap && (
            <TextField
              label="New bitmap name"
              value={input.newBitmap.name}
              onChange={(name) => set({ newBitmap: { ...input.newBitmap, name } })}
              error={problemFor(problems, 'bitmap')}
            />
          )}
        </div>
      )}
      {input.target.kind !== 'node' && (
        <CheckField
          label="Keep the backup open after it completes, e.g. to export it (by default it is closed)"
          checked={input.keepTarget === true}
          onChange={(keepTarget) => set({ keepTarget })}
        />
      )}
      <AdvancedForm
        command="blockdev-backup"
        live={live}
        guidedArgs={commandArguments(result, 'blockdev-backup')}
        onChange={(v) => {
          invalid.report(ADVANCED_ARGUMENTS, v === undefined ? 'fix the fields marked' : undefined);
          if (v) set({ advanced: v });
        }}
      />
      <PlanReview result={result} confirmLabel="Start backup" />
      <BitmapList live={live} node={source} />
    </div>
  );
}
