// The escape hatch: any QMP command the session's role may run, with a form generated from the
// live schema, the exact JSON preview, and the reply as a tree. QEMU's refusal is shown verbatim.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useQmpClient, useTargetName } from '../../api/qmp-context.tsx';
import {
  graphJobsOptions,
  graphRereadsOf,
  namedNodesOptions,
} from '../../api/block-graph-queries.ts';
import { jobsKey } from '../../api/jobs-queries.ts';
import { useFieldDocs, useSchemaIndex } from '../../api/schema-queries.ts';
import { commandListOptions } from '../../api/command-list-queries.ts';
import { sessionOptions } from '../../api/session.ts';
import { QmpError } from '../../qmp/errors.ts';
import { isReadOnlyCommand, type JsonObject, type JsonValue } from '../../qmp/wire.ts';
import { CommandForm } from '../forms/command-form.tsx';
import { inputClass } from '../forms/field-props.ts';
import { FormPickersContext, type FormPickers } from '../forms/pickers-context.tsx';
import { ResultTree } from './result-tree.tsx';

function useFormPickers(): FormPickers {
  const client = useQmpClient();
  const target = useTargetName();
  // The graph's own reads (one query per QMP read), kept current by its events.
  const nodes = useQuery(namedNodesOptions(client, target));
  const jobs = useQuery(graphJobsOptions(client, target));
  return useMemo(
    () => ({
      nodeNames: [...new Set((nodes.data ?? []).map((n) => n['node-name']))].sort(),
      jobIds: (jobs.data ?? []).map((j) => j.id),
      bitmapNames: [
        ...new Set(
          (nodes.data ?? []).flatMap((n) =>
            (n['dirty-bitmaps'] ?? []).flatMap((b) => (b.name === undefined ? [] : [b.name])),
          ),
        ),
      ].sort(),
    }),
    [nodes.data, jobs.data],
  );
}

export function RunCommandPanel() {
  const client = useQmpClient();
  const target = useTargetName();
  const queryClient = useQueryClient();
  const schema = useSchemaIndex();
  const fieldDocs = useFieldDocs();
  const session = useQuery(sessionOptions());
  const permitted = useQuery(commandListOptions(target));
  const basePickers = useFormPickers();
  const refusedDrivers = permitted.data?.refusedDrivers;
  const pickers = useMemo(
    () =>
      refusedDrivers ? { ...basePickers, refusedDrivers: new Set(refusedDrivers) } : basePickers,
    [basePickers, refusedDrivers],
  );
  const [command, setCommand] = useState('');
  const run = useMutation({
    mutationFn: (vars: { command: string; args: JsonObject | undefined }) =>
      client.execute<JsonValue>(vars.command, vars.args),
    // Whatever a mutating command changed, QEMU is the source of truth: re-read the graph and
    // the jobs (not the schema, which does not change while connected). A read changes nothing.
    onSettled: (_data, _error, vars) =>
      isReadOnlyCommand(vars.command)
        ? undefined
        : Promise.all([
            graphRereadsOf(queryClient, target).flush(),
            queryClient.invalidateQueries({ queryKey: [...jobsKey(target), 'list'] }),
          ]),
  });

  // The proxy's own list: commands it refuses by name whatever the arguments are not offered.
  const allowed = permitted.data?.commands ?? [];

  if (schema.isPending || permitted.isPending)
    return (
      <p className="p-3 text-sm text-slate-500 dark:text-slate-400">Reading the QMP schema…</p>
    );
  if (permitted.isError)
    return (
      <p role="alert" className="p-3 text-sm text-red-700">
        Cannot read which commands this session may run: {permitted.error.message}
      </p>
    );
  if (schema.isError)
    return (
      <p role="alert" className="p-3 text-sm text-red-700">
        Cannot read the QMP schema: {schema.error.message}
      </p>
    );
  const known = allowed.includes(command);
  const error = run.error instanceof QmpError ? run.error : null;

  return (
    <div className="flex flex-col gap-3 p-3">
      <label className="flex flex-col gap-1 text-sm">
        <span>
          Command{' '}
          <span className="text-xs text-slate-500 dark:text-slate-400">
            ({allowed.length} available{session.data?.role === 'viewer' ? ', read-only role' : ''})
          </span>
        </span>
        <input
          className={inputClass}
          list="run-command-names"
          value={command}
          placeholder="e.g. query-block-jobs"
          spellCheck={false}
          onChange={(e) => {
            setCommand(e.target.value.trim());
            run.reset();
          }}
        />
        <datalist id="run-command-names">
          {allowed.map((name) => (
            <option key={name} value={name} />
          ))}
        </datalist>
      </label>
      {command && !known && (
        <p className="text-sm text-slate-500 dark:text-slate-400">
          {schema.data.commands.has(command)
            ? `${command} is not available here: Blockscope refuses it for this session's role (operators: block-layer commands; see --allow-command).`
            : 'No such command in this QEMU; pick one from the list.'}
        </p>
      )}
      {known && fieldDocs?.mismatch && (
        <p className="text-xs text-amber-800 dark:text-amber-300">
          Field help from QEMU {fieldDocs.mismatch.docsVersion}&apos;s manual; this target runs{' '}
          {fieldDocs.mismatch.targetVersion}, so some of it may not match.
        </p>
      )}
      {known && (
        <FormPickersContext.Provider value={pickers}>
          <CommandForm
            key={command}
            index={schema.data}
            command={command}
            docs={fieldDocs?.docs}
            pending={run.isPending}
            refusal={error}
            onSubmit={(args) => run.mutate({ command, args })}
          />
        </FormPickersContext.Provider>
      )}
      {run.isError && (
        <div
          role="alert"
          className="rounded bg-red-50 p-2 text-sm text-red-800 dark:bg-red-950 dark:text-red-200"
        >
          <p className="font-medium">
            {error?.errorClass.startsWith('Blockscope') ? 'Blockscope' : 'QEMU'} refused{' '}
            {run.variables?.command}
          </p>
          <p>
            <span className="font-mono">{error?.errorClass ?? 'Error'}</span>:{' '}
            {error?.desc ?? run.error.message}
          </p>
        </div>
      )}
      {run.isSuccess && (
        <section aria-label="Command result" className="flex flex-col gap-1 text-sm">
          <h3 className="font-medium">
            Result of <span className="font-mono">{run.variables.command}</span>
          </h3>
          <ResultTree value={run.data} />
        </section>
      )}
    </div>
  );
}
