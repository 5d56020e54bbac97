// The target part of the mirror and backup panels: a new image, an existing file, or a node.
import type { PathLookup } from '../../../qmp/file-lookup.ts';
import type { LiveState } from '../plans/live-state.ts';
import type { ImageFormat, TargetChoice } from '../plans/target-image.ts';
import type { Problem } from '../plans/types.ts';
import { problemFor, SelectField, TextField } from '../fields.tsx';
import { NewPathField } from './new-path-field.tsx';

type Kind = TargetChoice['kind'];

export function TargetFields(props: {
  live: LiveState;
  source: string;
  value: TargetChoice;
  onChange: (value: TargetChoice) => void;
  problems: Problem[];
  /** What the proxy found at the image path (use-path-lookup.ts). */
  lookup: PathLookup | undefined;
  /** What a backing file of the new image is for, in this operation's words. */
  backingHint: string;
}) {
  const { value, onChange, problems } = props;
  const setKind = (kind: Kind) => {
    if (kind === 'node') {
      const other = props.live.nodes.find(
        (n) => n['node-name'] !== props.source && !n['node-name'].startsWith('#'),
      );
      onChange({ kind, nodeName: other?.['node-name'] ?? '' });
    } else {
      const path = value.kind === 'node' ? '' : value.path;
      const format = value.kind === 'node' ? 'qcow2' : value.format;
      onChange({ kind, path, format, nodeName: value.nodeName });
    }
  };
  return (
    <fieldset className="flex flex-col gap-2 rounded border border-slate-200 p-2 dark:border-slate-700">
      <legend className="px-1 text-xs font-medium">Target</legend>
      <SelectField<Kind>
        label="Target kind"
        value={value.kind}
        onChange={setKind}
        options={[
          { value: 'new-image', label: 'New image (created over QMP)' },
          { value: 'existing-file', label: 'Existing image file' },
          { value: 'node', label: 'Existing node' },
        ]}
      />
      {value.kind === 'node' ? (
        <SelectField
          label="Target node"
          value={value.nodeName}
          onChange={(nodeName) => onChange({ kind: 'node', nodeName })}
          options={props.live.nodes.map((n) => n['node-name']).filter((n) => n !== props.source)}
          error={problemFor(problems, 'target')}
        />
      ) : (
        <>
          <NewPathField
            label="Image path"
            path={value.path}
            lookup={props.lookup}
            creates={value.kind === 'new-image'}
            overwrite={value.kind === 'new-image' ? value.overwrite : undefined}
            // A confirmation names one path: another path needs its own.
            onPathChange={(path) =>
              onChange(
                value.kind === 'new-image'
                  ? { ...value, path, overwrite: undefined }
                  : { ...value, path },
              )
            }
            onOverwriteChange={(overwrite) => {
              if (value.kind === 'new-image') onChange({ ...value, overwrite });
            }}
            problems={problems}
          />
          <SelectField<ImageFormat>
            label="Image format"
            value={value.format}
            onChange={(format) => onChange({ ...value, format })}
            options={['qcow2', 'raw']}
          />
          {value.kind === 'new-image' && value.format === 'qcow2' && (
            <TextField
              label="Backing file of the new image (optional)"
              hint={props.backingHint}
              value={value.backing?.file ?? ''}
              onChange={(file) =>
                onChange({
                  ...value,
                  backing: file ? { file, format: 'qcow2', node: value.backing?.node } : undefined,
                })
              }
            />
          )}
          <TextField
            label="Target node name"
            value={value.nodeName}
            onChange={(nodeName) => onChange({ ...value, nodeName })}
            error={problemFor(problems, 'node-name')}
          />
        </>
      )}
    </fieldset>
  );
}
