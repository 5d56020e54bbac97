// Export panel: safe defaults (NBD server on 127.0.0.1 if Blockscope has not started one,
// read-only, named after the node), so one confirmation exports the node; options below.
import { useMemo, useState } from 'react';
import { CheckField, SelectField, TextField, problemFor } from '../fields.tsx';
import { PlanReview } from '../plan-review.tsx';
import { bitmapsOf } from '../plans/bitmaps.ts';
import { defaultExportInput, planExport, type ExportInput } from '../plans/export.ts';
import type { LiveState, NbdAddress } from '../plans/live-state.ts';
import { describeAddress } from '../plans/nbd.ts';

export function ExportOperationPanel({ live, node }: { live: LiveState; node: string }) {
  const [input, setInput] = useState<ExportInput>(() => defaultExportInput(live, node));
  const set = (patch: Partial<ExportInput>) => setInput((old) => ({ ...old, ...patch }));
  const result = useMemo(() => planExport(live, input), [live, input]);
  const problems = result.ok ? [] : result.problems;
  const running = live.nbdServer.state === 'running' ? live.nbdServer.address : undefined;
  const address = input.address;
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
                      : { type, path: '/tmp/blockscope-nbd.sock' },
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
                <TextField
                  label="Socket path"
                  value={address.path}
                  onChange={(path) => setAddress({ type: 'unix', path })}
                  error={problemFor(problems, 'address')}
                />
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
