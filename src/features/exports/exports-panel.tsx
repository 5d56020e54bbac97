// The Exports tab: every block export with its nbd:// URI (copy button) and a Remove button,
// and the NBD server's state with Stop. QEMU has no query for the server: its state and the
// export names are the proxy's record of what every session did (X_BLOCKSCOPE_NBD_SERVER).
import { useState } from 'react';
import { useReadOnlyReason } from '../../api/session.ts';
import { CopyButton } from '../operations/copy-button.tsx';
import { PlanReview } from '../operations/plan-review.tsx';
import { planExportRemove, planNbdServerStop } from '../operations/plans/export.ts';
import { describeAddress, nbdUri } from '../operations/plans/nbd.ts';
import type { PlanResult } from '../operations/plans/types.ts';
import { useLiveState } from '../operations/use-operations.ts';

const BUTTON =
  'rounded border border-slate-300 px-2 py-0.5 text-xs disabled:opacity-50 dark:border-slate-600';

export function ExportsPanel() {
  const { live, error } = useLiveState();
  const [action, setAction] = useState<{ key: string; result: PlanResult } | null>(null);
  const readOnly = useReadOnlyReason();
  if (error)
    return (
      <p role="alert" className="p-3 text-sm">
        Cannot read exports: {error.message}
      </p>
    );
  if (!live)
    return <p className="p-3 text-sm text-slate-500 dark:text-slate-400">Reading exports…</p>;
  const recorded = live.nbdServer;
  // An NBD export exists only while the server runs (nbd-server-stop removes them): one that
  // QEMU lists means a server the proxy did not see start, address unknown.
  const server =
    recorded.state === 'unknown' && live.exports.some((e) => e.type === 'nbd')
      ? { state: 'running' as const }
      : recorded;
  return (
    <div className="flex flex-col gap-3 p-3 text-sm">
      <div className="flex items-center gap-2">
        <span>
          NBD server:{' '}
          <strong>
            {server.state === 'running'
              ? 'address' in server && server.address
                ? `running on ${describeAddress(server.address)}`
                : 'running (started elsewhere, address unknown)'
              : server.state === 'stopped'
                ? 'stopped'
                : 'none seen'}
          </strong>
          {server.state === 'unknown' && (
            <span className="block text-xs text-slate-500 dark:text-slate-400">
              QEMU has no query for its NBD server: Blockscope knows of one only when it sees it
              started or stopped, or finds an export, and has seen neither since it connected.
            </span>
          )}
        </span>
        {server.state === 'running' && (
          <button
            type="button"
            className={BUTTON}
            disabled={readOnly !== null}
            title={readOnly ?? undefined}
            onClick={() => setAction({ key: 'stop', result: planNbdServerStop(live) })}
          >
            Stop NBD server
          </button>
        )}
      </div>
      {live.exports.length === 0 ? (
        <p className="text-slate-500 dark:text-slate-400">
          No exports. Select a node in the graph and choose Export.
        </p>
      ) : (
        <ul aria-label="Block exports" className="flex flex-col gap-2">
          {live.exports.map((e) => {
            const name = ('names' in server ? server.names?.[e.id] : undefined) ?? e.id;
            const uri =
              server.state === 'running' &&
              'address' in server &&
              server.address &&
              e.type === 'nbd'
                ? nbdUri(server.address, name)
                : undefined;
            return (
              <li
                key={e.id}
                aria-label={`Export ${e.id}`}
                className="flex flex-col gap-1 rounded border border-slate-200 p-2 dark:border-slate-700"
              >
                <p>
                  <span className="font-mono font-medium">{e.id}</span> ({e.type}) of node{' '}
                  <span className="font-mono">{e['node-name']}</span>
                  {e['shutting-down'] && (
                    <span className="ml-1 text-amber-700">shutting down…</span>
                  )}
                </p>
                <div className="flex flex-wrap items-center gap-2">
                  {uri ? (
                    <>
                      <code className="break-all">{uri}</code>
                      <CopyButton text={uri} label={`Copy URI of ${e.id}`} />
                    </>
                  ) : (
                    <span className="text-slate-500 dark:text-slate-400">
                      address unknown (the server was started where Blockscope did not see it)
                    </span>
                  )}
                  <button
                    type="button"
                    className={BUTTON}
                    aria-label={`Remove export ${e.id}`}
                    disabled={readOnly !== null}
                    title={readOnly ?? undefined}
                    onClick={() =>
                      setAction({ key: `rm-${e.id}`, result: planExportRemove(live, e.id) })
                    }
                  >
                    Remove
                  </button>
                  <button
                    type="button"
                    className={BUTTON}
                    aria-label={`Remove export ${e.id} and disconnect clients`}
                    disabled={readOnly !== null}
                    title={readOnly ?? undefined}
                    onClick={() =>
                      setAction({ key: `rmh-${e.id}`, result: planExportRemove(live, e.id, true) })
                    }
                  >
                    Remove, disconnecting clients
                  </button>
                </div>
              </li>
            );
          })}
        </ul>
      )}
      {live.exports.length > 0 && (
        <p className="text-xs text-slate-600 dark:text-slate-400">
          Connected clients: QEMU does not report how many there are. Remove fails while any is
          attached (QEMU's safe mode); the second button disconnects them first.
        </p>
      )}
      {action && (
        <PlanReview
          key={action.key}
          result={action.result}
          confirmLabel="Confirm"
          onFinished={(ok) => ok && setAction(null)}
        />
      )}
    </div>
  );
}
