// A path field for a file a plan creates (or opens): it shows what the proxy's look-up found there,
// and, when a regular file is in the way of one to be created, a checkbox naming the path that
// confirms overwriting it. The panel clears the confirmation whenever the path changes.
import type { PathLookup } from '../../../qmp/file-lookup.ts';
import { CheckField, TextField } from '../fields.tsx';
import { describeFile } from '../plans/new-file.ts';
import type { Problem } from '../plans/types.ts';

/** The look-up in words, for under the field; null when a problem says it already. */
function status(path: string, lookup: PathLookup | undefined, creates: boolean): string | null {
  if (!path.startsWith('/')) return null;
  if (!lookup || lookup.path !== path) return 'Checking whether a file is at this path…';
  if ('error' in lookup) return null;
  if (!lookup.exists) return creates ? 'No file here yet: the plan creates it.' : 'No file here.';
  const what = describeFile(lookup);
  return creates ? `A file is here (${what}); it will be overwritten.` : `Found: ${what}.`;
}

export function NewPathField(props: {
  label: string;
  path: string;
  /** The look-up's answer; undefined while it is on its way. */
  lookup: PathLookup | undefined;
  /** True when the plan creates the file; false when it opens an existing one. */
  creates: boolean;
  /** The path the operator confirmed overwriting. */
  overwrite: string | undefined;
  onPathChange: (path: string) => void;
  onOverwriteChange: (overwrite: string | undefined) => void;
  /** The plan's problems; the first one about `field` that is not pending shows as the error. */
  problems: Problem[];
  field?: string;
}) {
  const { path, lookup, creates } = props;
  const field = props.field ?? 'path';
  const error = props.problems.find((p) => p.field === field && !p.pending)?.message;
  const answered = lookup && lookup.path === path && !('error' in lookup) ? lookup : undefined;
  const inTheWay = creates && answered?.exists === true && answered.type === 'file';
  return (
    <div className="flex flex-col gap-1">
      <TextField
        label={props.label}
        value={path}
        onChange={props.onPathChange}
        error={error}
        hint={error ? undefined : (status(path, lookup, creates) ?? undefined)}
      />
      {inTheWay && (
        <div className="rounded bg-amber-50 px-2 py-1 text-amber-900 dark:bg-amber-950 dark:text-amber-100">
          <CheckField
            label={`Overwrite ${path}`}
            checked={props.overwrite === path}
            onChange={(on) => props.onOverwriteChange(on ? path : undefined)}
          />
        </div>
      )}
    </div>
  );
}
