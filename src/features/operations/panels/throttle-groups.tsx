// Throttle groups: create one with limits, attach disks to it (a filter node each), edit its
// limits live, detach members and delete it.
import { useMemo, useState } from 'react';
import { PlanReview } from '../plan-review.tsx';
import { TextField, problemFor } from '../fields.tsx';
import type { LiveState } from '../plans/live-state.ts';
import { suggestNodeName } from '../plans/names.ts';
import {
  describeLimits,
  setLimits as onlySet,
  type ThrottleLimits,
} from '../plans/throttle-limits.ts';
import {
  groupMembers,
  planGroupAttach,
  planGroupCreate,
  planGroupDelete,
  planGroupDetach,
  planGroupEdit,
  suggestGroupId,
} from '../plans/throttle-group.ts';
import type { PlanResult } from '../plans/types.ts';
import { LimitFields } from './limit-fields.tsx';

const INVALID: PlanResult = { ok: false, problems: [{ message: 'Fix the limits first.' }] };
const BUTTON = 'rounded border border-slate-300 px-2 py-0.5 text-xs dark:border-slate-600';

function CreateGroup({ live }: { live: LiveState }) {
  const [id, setId] = useState(() => suggestGroupId(live));
  const [limits, setLimits] = useState<ThrottleLimits | undefined>({});
  // After a group is made its id is taken: say it was made, not that the name is in use, until
  // the operator asks for another (a fresh form, a fresh suggestion).
  const [created, setCreated] = useState<string | null>(null);
  const [round, setRound] = useState(0);
  const result = useMemo(
    () => (limits ? planGroupCreate(live, id, limits) : INVALID),
    [live, id, limits],
  );
  return (
    <details className="text-sm">
      <summary className="cursor-pointer font-medium">New throttle group</summary>
      <div className="mt-2 flex flex-col gap-2">
        <TextField
          label="Group id"
          value={id}
          onChange={setId}
          error={result.ok || created === id ? undefined : problemFor(result.problems, 'id')}
        />
        <LimitFields
          key={round}
          idPrefix="new-group"
          initial={{}}
          onChange={setLimits}
          problems={result.ok ? [] : result.problems}
        />
        <PlanReview
          key={round}
          result={result}
          confirmLabel="Create group"
          onFinished={(ok) => ok && setCreated(id)}
        />
        {created && (
          <button
            type="button"
            className={`${BUTTON} self-start`}
            onClick={() => {
              setCreated(null);
              setId(suggestGroupId(live));
              setLimits({});
              setRound((r) => r + 1);
            }}
          >
            New group
          </button>
        )}
      </div>
    </details>
  );
}

function GroupRow({ live, id, node }: { live: LiveState; id: string; node: string }) {
  const group = live.throttleGroups.find((g) => g.id === id);
  const members = groupMembers(live, id);
  const [action, setAction] = useState<{ key: string; result: PlanResult } | null>(null);
  const [editing, setEditing] = useState<ThrottleLimits | undefined | null>(null);
  const [filterName, setFilterName] = useState(() => suggestNodeName(live, `${node}-throttle`));
  const current = onlySet(group?.limits ?? {});
  const editResult = useMemo(
    () => (editing === null ? undefined : editing ? planGroupEdit(live, id, editing) : INVALID),
    [live, id, editing],
  );
  return (
    <li className="flex flex-col gap-1 rounded border border-slate-200 p-2 dark:border-slate-700">
      <p>
        <span className="font-mono font-medium">{id}</span>:{' '}
        <span aria-label={`Limits of ${id}`}>{describeLimits(current)}</span>
      </p>
      <p className="text-xs text-slate-500 dark:text-slate-400">
        Members: {members.length ? members.join(', ') : 'none'}
      </p>
      <div className="flex flex-wrap items-end gap-1">
        <TextField label={`Filter node for ${node}`} value={filterName} onChange={setFilterName} />
        <button
          type="button"
          className={BUTTON}
          onClick={() =>
            setAction({
              key: `attach-${filterName}`,
              result: planGroupAttach(live, { group: id, node, filterNodeName: filterName }),
            })
          }
        >
          Attach {node} to {id}
        </button>
        <button type="button" className={BUTTON} onClick={() => setEditing(current)}>
          Edit limits of {id}
        </button>
        {members.map((m) => (
          <button
            key={m}
            type="button"
            className={BUTTON}
            onClick={() => setAction({ key: `detach-${m}`, result: planGroupDetach(live, m) })}
          >
            Detach {m}
          </button>
        ))}
        <button
          type="button"
          className={BUTTON}
          onClick={() => setAction({ key: `delete-${id}`, result: planGroupDelete(live, id) })}
        >
          Delete group {id}
        </button>
      </div>
      {editing !== null && (
        <div role="group" aria-label={`New limits of ${id}`} className="flex flex-col gap-2">
          <LimitFields
            idPrefix={`edit-${id}`}
            initial={current}
            onChange={setEditing}
            problems={editResult && !editResult.ok ? editResult.problems : []}
          />
          <PlanReview result={editResult} confirmLabel={`Apply limits of ${id}`} />
        </div>
      )}
      {action && <PlanReview key={action.key} result={action.result} confirmLabel="Confirm" />}
    </li>
  );
}

export function ThrottleGroups({ live, node }: { live: LiveState; node: string }) {
  return (
    <section aria-label="Throttle groups" className="flex flex-col gap-2">
      <h3 className="text-sm font-medium">Throttle groups</h3>
      <ul className="flex flex-col gap-2 text-sm">
        {live.throttleGroups.map((g) => (
          <GroupRow key={g.id} live={live} id={g.id} node={node} />
        ))}
      </ul>
      <CreateGroup live={live} />
    </section>
  );
}
