// The lifecycle buttons of one job and its speed limit. Only controls QEMU's verb table allows
// in the current state are shown; a refusal from QEMU (or the proxy) is shown verbatim.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { jobsKey } from '../../api/jobs-queries.ts';
import { useQmpClient, useTargetName } from '../../api/qmp-context.tsx';
import { useReadOnlyReason } from '../../api/session.ts';
import type { JsonObject } from '../../qmp/wire.ts';
import type { JobRow } from './job-model.ts';
import { formatBytes, formatLimit, parseRate } from '../../schema/units.ts';
import { jobControls, setSpeedCommand, type JobCommands, type JobControl } from './job-verbs.ts';

const BUTTON =
  'rounded border px-2 py-0.5 text-xs font-medium disabled:opacity-50 border-slate-300 hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800';
const DANGER =
  'rounded border px-2 py-0.5 text-xs font-medium disabled:opacity-50 border-red-300 text-red-700 hover:bg-red-50 dark:border-red-800 dark:text-red-300 dark:hover:bg-red-950';

function useJobCommand() {
  const client = useQmpClient();
  const target = useTargetName();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ command, args }: { label: string; command: string; args: JsonObject }) =>
      client.execute(command, args),
    // The events that follow update the list too; this re-read covers a missed one.
    onSettled: () => queryClient.invalidateQueries({ queryKey: [...jobsKey(target), 'list'] }),
  });
}

export function JobControls({ job, commands }: { job: JobRow; commands: JobCommands }) {
  const run = useJobCommand();
  const readOnly = useReadOnlyReason();
  const [confirming, setConfirming] = useState<JobControl | null>(null);
  const controls = jobControls(job, commands);
  const speedCommand = setSpeedCommand(job, commands, 0);
  if (controls.length === 0 && !speedCommand && !run.error) return null;
  const send = (c: JobControl) => {
    setConfirming(null);
    run.mutate({ label: c.label, command: c.command, args: c.args });
  };
  // The control may be gone by now (the job moved on): then there is nothing left to confirm.
  const pending = confirming && controls.find((c) => c.key === confirming.key);
  return (
    <div className="flex flex-col gap-1.5">
      {controls.length > 0 && (
        <div role="group" aria-label={`Controls for ${job.id}`} className="flex flex-wrap gap-1.5">
          {controls.map((c) => (
            <button
              key={c.key}
              type="button"
              title={readOnly ?? c.help}
              aria-description={readOnly ?? undefined}
              disabled={run.isPending || readOnly !== null}
              className={c.danger ? DANGER : BUTTON}
              // Aborting a job that has copied something throws that work away: ask first.
              onClick={() => (c.danger && job.current > 0 ? setConfirming(c) : send(c))}
            >
              {c.label}
            </button>
          ))}
        </div>
      )}
      {pending && (
        <CancelConfirmation
          job={job}
          control={pending}
          onConfirm={() => send(pending)}
          onKeep={() => setConfirming(null)}
        />
      )}
      {speedCommand && !readOnly && <SpeedForm job={job} commands={commands} />}
      {run.error && (
        <p role="alert" className="text-xs text-red-700 dark:text-red-300">
          {run.variables?.label ?? 'Command'} refused: {run.error.message}
        </p>
      )}
    </div>
  );
}

function CancelConfirmation(props: {
  job: JobRow;
  control: JobControl;
  onConfirm: () => void;
  onKeep: () => void;
}) {
  const { job, control } = props;
  const copied = `${formatBytes(job.current)} of ${formatBytes(job.total)}`;
  return (
    <div
      role="alertdialog"
      aria-label={`${control.label} job ${job.id}?`}
      className="flex flex-col gap-1.5 rounded border border-red-300 bg-red-50 p-2 text-xs text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100"
      onKeyDown={(e) => e.key === 'Escape' && props.onKeep()}
    >
      <p>
        {control.label} job <strong>{job.id}</strong>? It has copied {copied}; that work is lost and
        the target is left as it is now. {control.help}.
      </p>
      <div className="flex gap-1.5">
        <button type="button" className={DANGER} onClick={props.onConfirm} autoFocus>
          Yes, {control.label.toLowerCase()} {job.id}
        </button>
        <button type="button" className={BUTTON} onClick={props.onKeep}>
          Keep it running
        </button>
      </div>
    </div>
  );
}

function SpeedForm({ job, commands }: { job: JobRow; commands: JobCommands }) {
  const run = useJobCommand();
  const [text, setText] = useState('');
  const [invalid, setInvalid] = useState<string | null>(null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    // QMP's speed is bytes per second, 0 for no limit; an empty field is a slip, not a 0.
    const speed =
      text.trim() === '' ? { ok: false as const, message: 'is empty' } : parseRate(text);
    const sent = speed.ok ? setSpeedCommand(job, commands, speed.value) : null;
    setInvalid(speed.ok ? (sent ? null : 'this job takes no speed limit') : speed.message);
    if (sent) run.mutate({ label: 'Set speed', ...sent }, { onSuccess: () => setText('') });
  };
  return (
    <form onSubmit={submit} className="flex items-center gap-1.5 text-xs">
      <label className="flex items-center gap-1">
        <span className="text-slate-600 dark:text-slate-400">Limit (bytes/s)</span>
        <input
          value={text}
          onChange={(e) => setText(e.target.value)}
          aria-label={`Speed limit for ${job.id} in bytes/s`}
          aria-invalid={invalid !== null}
          placeholder={formatLimit(job.speed ?? 0)}
          className="w-24 rounded border border-slate-300 bg-white px-1 py-0.5 dark:border-slate-700 dark:bg-slate-900"
        />
      </label>
      <button type="submit" className={BUTTON} disabled={run.isPending}>
        Set speed
      </button>
      {invalid && (
        <span role="alert" className="text-red-700 dark:text-red-300">
          Speed {invalid}; e.g. 8M/s (M = 1024²), 0 = unlimited
        </span>
      )}
      {run.error && (
        <span role="alert" className="text-red-700 dark:text-red-300">
          Set speed refused: {run.error.message}
        </span>
      )}
    </form>
  );
}
