// The dirty bitmaps of a node with their actions. Each action is a one-step plan shown with its
// QMP and confirmed like every other operation. Each bitmap says where it counts from, as the
// proxy's backup ledger knows it; one whose full backup did not complete is marked untrusted and
// offers its removal first.
import { useState } from 'react';
import { describeOrigin } from '../../../api/bitmap-origin.ts';
import { PlanReview, PlanRunStarted } from '../plan-review.tsx';

// A bitmap action runs beside the backup form, which stays as it is.
const keepForm = () => undefined;
import {
  bitmapOriginOf,
  bitmapsOf,
  planBitmapAdd,
  planBitmapMerge,
  planBitmapVerb,
} from '../plans/bitmaps.ts';
import type { LiveState } from '../plans/live-state.ts';
import type { PlanResult } from '../plans/types.ts';
import { formatBytes } from '../../../schema/units.ts';
import { CheckField, TextField } from '../fields.tsx';

export function BitmapList({ live, node }: { live: LiveState; node: string }) {
  const [pending, setPending] = useState<{ key: string; result: PlanResult } | null>(null);
  const [name, setName] = useState('');
  const [persistent, setPersistent] = useState(false);
  const bitmaps = bitmapsOf(live, node);
  const act = (key: string, result: PlanResult) => setPending({ key, result });
  const button = 'rounded border border-slate-300 px-2 py-0.5 text-xs dark:border-slate-600';
  const warnButton =
    'rounded border border-amber-600 bg-white px-2 py-0.5 text-xs font-medium dark:border-amber-400 dark:bg-slate-900';
  return (
    <section
      aria-label={`Bitmaps of ${node}`}
      className="flex flex-col gap-2 border-t border-slate-200 pt-2 dark:border-slate-700"
    >
      <h3 className="text-sm font-medium">Dirty bitmaps of {node}</h3>
      {bitmaps.length === 0 && <p className="text-xs text-slate-500 dark:text-slate-400">None.</p>}
      <ul className="flex flex-col gap-1 text-sm">
        {bitmaps.map((b) => {
          const origin = bitmapOriginOf(live, node, b.name);
          const untrusted = origin.kind === 'untrusted';
          const remove = (
            <button
              type="button"
              className={untrusted ? warnButton : button}
              aria-label={`remove bitmap ${b.name}`}
              onClick={() => act(`remove-${b.name}`, planBitmapVerb(live, node, b.name, 'remove'))}
            >
              remove
            </button>
          );
          return (
            <li key={b.name} className="flex flex-wrap items-center gap-1">
              <span className="font-mono">{b.name}</span>
              <span className="text-xs text-slate-500 dark:text-slate-400">
                {b.recording ? 'recording' : 'not recording'} · {formatBytes(b.count)} dirty ·{' '}
                {formatBytes(b.granularity)} granularity
                {b.persistent ? ' · persistent' : ''}
                {b.busy ? ' · busy' : ''}
              </span>
              <span className="w-full text-xs text-slate-600 dark:text-slate-300">
                {describeOrigin(origin)}
              </span>
              {(untrusted || origin.kind === 'waiting') && (
                <p className="flex w-full flex-wrap items-center gap-2 rounded bg-amber-50 px-2 py-1 text-xs text-amber-900 dark:bg-amber-950 dark:text-amber-100">
                  <span>
                    {untrusted ? 'Untrusted' : 'Not ready'}: {origin.reason}.
                  </span>
                  {untrusted && remove}
                </p>
              )}
              {(['enable', 'disable', 'clear'] as const).map((verb) => (
                <button
                  key={verb}
                  type="button"
                  className={button}
                  aria-label={`${verb} bitmap ${b.name}`}
                  onClick={() => act(`${verb}-${b.name}`, planBitmapVerb(live, node, b.name, verb))}
                >
                  {verb}
                </button>
              ))}
              {!untrusted && remove}
              {bitmaps.length > 1 && (
                <button
                  type="button"
                  className={button}
                  aria-label={`merge the other bitmaps into ${b.name}`}
                  onClick={() =>
                    act(
                      `merge-${b.name}`,
                      planBitmapMerge(
                        live,
                        node,
                        b.name,
                        bitmaps.filter((o) => o.name !== b.name).map((o) => o.name),
                      ),
                    )
                  }
                >
                  merge others in
                </button>
              )}
            </li>
          );
        })}
      </ul>
      <div className="flex items-end gap-2">
        <TextField label="New bitmap" value={name} onChange={setName} />
        <CheckField label="persistent" checked={persistent} onChange={setPersistent} />
        <button
          type="button"
          className={button}
          onClick={() => act(`add-${name}`, planBitmapAdd(live, node, { name, persistent }))}
        >
          Add bitmap
        </button>
      </div>
      {pending && (
        <PlanRunStarted.Provider value={keepForm}>
          <PlanReview
            key={pending.key}
            result={pending.result}
            confirmLabel="Confirm"
            onFinished={(ok) => ok && setName('')}
          />
        </PlanRunStarted.Provider>
      )}
    </section>
  );
}
