// Export panel: safe defaults (NBD server on 127.0.0.1 if Blockscope has not started one,
// read-only, named after the node), so one confirmation exports the node; options below.
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { sessionOptions } from '../../../api/session.ts';
import { CheckField, SelectField, TextField, problemFor } from '../fields.tsx';
import { PlanReview } from '../plan-review.tsx';
import { bitmapsOf } from '../plans/bitmaps.ts';
import {
  defaultExportInput,
  planExport,
  writableRefusal,
  type ExportInput,
} from '../plans/export.ts';
import type { LiveState, NbdAddress } from '../plans/live-state.ts';
import { describeAddress } from '../plans/nbd.ts';
import { usePathLookup } from '../use-path-lookup.ts';

export function ExportOperationPanel({ live, node }: { live: LiveState; node: string }) {
  const [input, setInput] = useState<ExportInput>(() => defaultExportInput(live, node));
  const set = (patch: Partial<ExportInput>) => setInput((old) => ({ ...old, ...patch }));
  const running = live.nbdServer.state === 'running' ? live.nbdServer.address : undefined;
  const address = input.address;
  // QEMU replaces whatever is at a socket path: the plan needs the proxy's look at it.
  const socketLookup = usePathLookup(!running && address.type === 'unix' ? address.path : null);
  const result = useMemo(
    () => planExport(live, { ...input, ...(socketLookup ? { socketLookup } : {}) }),
    [live, input, socketLookup],
  );
  const problems = result.ok ? [] : result.problems;
  const notWritable = useMemo(() => writableRefusal(live, node), [live, node]);
  // A socket must be named inside --allow-path: the default goes in the first allowed directory.
  const allowed = useQuery(sessionOptions()).data?.allowPaths ?? [];
  const defaultSocket = allowed[0] ? `${allowed[0].replace(/\/$/, '')}/blockscope-nbd.sock` : '';
  const setAddress = (a: NbdAddress) => set({ address: a });

  return (
    <div className="flex flex-col gap-3">
      <p className="text-sm">
        Node: <strong>{node}</strong>.{' '}
        {running
          ? `The NBD server runs on ${describeAddress(running)}.`
          : 'The NBD server will be started.'}
      </p>
      <PlanReview result={result} confirmLabel="Export" />
      <details className="text-sm">
        <summary className="cursor-pointer">Options</summary>
        <div className="mt-2 grid grid-cols-2 gap-2">
          <TextField
            label="Export name"
            value={input.name}
            onChange={(name) => set({ name })}
            error={problemFor(problems, 'name')}
          />
          <TextField
            label="Export id"
            value={input.id}
            onChange={(id) => set({ id })}
            error={problemFor(problems, 'id')}
          />
          <CheckField
            label="Writable"
            checked={input.writable}
            onChange={(writable) => set({ writable })}
            disabledReason={input.writable ? null : notWritable}
          />
          <CheckField
            label="Publish allocation depth"
            checked={input.allocationDepth}
            onChange={(allocationDepth) => set({ allocationDepth })}
          />
          {bitmapsOf(live, node).map((b) => (
            <CheckField
              key={b.name}
              label={`Publish bitmap ${b.name}`}
              checked={input.bitmaps.includes(b.name)}
              onChange={(on) =>
                set({
                  bitmaps: on
                    ? [...input.bitmaps, b.name]
                    : input.bitmaps.filter((x) => x !== b.name),
                })
              }
            />
          ))}
          {!running && (
            <>
              <SelectField<'inet' | 'unix'>
                label="Listen on"
                value={address.type}
                onChange={(type) =>
                  setAddress(
                    type === 'inet'
                      ? { type, host: '127.0.0.1', port: 10809 }
                      : { type, path: defaultSocket },
                  )
                }
                options={[
                  { value: 'inet', label: 'TCP' },
                  { value: 'unix', label: 'Unix socket' },
                ]}
              />
              {address.type === 'inet' ? (
                <>
                  <TextField
                    label="Host"
                    value={address.host}
                    onChange={(host) => setAddress({ ...address, host })}
                    error={problemFor(problems, 'host')}
                  />
                  <TextField
                    label="Port"
                    value={String(address.port)}
                    onChange={(p) => setAddress({ ...address, port: Number(p) })}
                    error={problemFor(problems, 'port')}
                  />
                </>
              ) : (
                <div className="flex flex-col gap-1">
                  <TextField
                    label="Socket path"
                    value={address.path}
                    onChange={(path) => setAddress({ type: 'unix', path })}
                    error={problemFor(problems, 'address')}
                  />
                  <p className="text-xs text-slate-500 dark:text-slate-400">
                    {allowed.length > 0
                      ? `Inside ${allowed.join(', ')} (--allow-path); nothing may be at the path.`
                      : 'No directory is allowed (--allow-path), so no socket can be named: use TCP.'}
                  </p>
                </div>
              )}
              <TextField
                label="Max connections (0 = unlimited)"
                value={input.maxConnections === undefined ? '' : String(input.maxConnections)}
                onChange={(v) => set({ maxConnections: v === '' ? undefined : Number(v) })}
                error={problemFor(problems, 'max-connections')}
              />
            </>
          )}
        </div>
      </details>
    </div>
  );
}
