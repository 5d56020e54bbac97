// The application shell: session, target choice, and the fixed places of each feature.
import { QueryClient, QueryClientProvider, useQuery, useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import { QmpProvider, useConnectionState, useQmpClient } from '../api/qmp-context.tsx';
import {
  exchangeTokenFromFragment,
  HttpError,
  isLibvirtTarget,
  sessionOptions,
  targetSourcesOptions,
  targetsOptions,
  type TargetInfo,
} from '../api/session.ts';
import { useTargetListUpdates } from '../api/target-updates.ts';
import { CloseCode } from '../qmp/close-codes.ts';
import { QmpError } from '../qmp/errors.ts';
import { BlockGraphView } from '../features/block-graph/block-graph-view.tsx';
import { NO_NODE_NOTES, NodeNotesContext } from '../features/block-graph/node-notes.ts';
import { ConnectionBadge } from '../features/connection/connection-badge.tsx';
import { DimmedWhenNotLive, QemuGoneBanner } from '../features/connection/qemu-gone-banner.tsx';
import { SignIn } from '../features/connection/sign-in.tsx';
import { SourceStatus } from '../features/connection/source-status.tsx';
import { TargetSwitcher } from '../features/connection/target-switcher.tsx';
import { AuditPanel } from '../features/audit/audit-panel.tsx';
import { EventLogPanel } from '../features/events/event-log-panel.tsx';
import { navigate, routeHash, useRoute } from '../features/navigation/route.ts';
import { useRouteFocus } from '../features/navigation/route-focus.ts';
import { ExportsPanel } from '../features/exports/exports-panel.tsx';
import { JobsPanel } from '../features/jobs/jobs-panel.tsx';
import { LibvirtBanner } from '../features/libvirt/libvirt-banner.tsx';
import { LibvirtJobControls } from '../features/libvirt/libvirt-job-controls.tsx';
import { libvirtNodeNotes } from '../features/libvirt/libvirt-notes.ts';
import { LibvirtOperationsHost } from '../features/libvirt/libvirt-operations-host.tsx';
import { OperationsHost } from '../features/operations/operations-host.tsx';
import { SideColumn, type BottomTab } from './side-column.tsx';
import { useTheme } from './theme.ts';

// Loaded when first shown: the schema-generated forms of Run command and the fleet page are
// most of the code a first look at one target's graph does not need.
const RunCommandPanel = lazy(() =>
  import('../features/run-command/run-command-panel.tsx').then((m) => ({
    default: m.RunCommandPanel,
  })),
);
const FleetPage = lazy(() =>
  import('../features/fleet/fleet-page.tsx').then((m) => ({ default: m.FleetPage })),
);
const loading = <p className="p-3 text-sm text-slate-500 dark:text-slate-400">Loading…</p>;

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: Infinity, // QEMU state changes are pushed by events, not discovered by polling
      refetchOnWindowFocus: false,
      // Retry only what certainly did not run; QEMU's own refusals will not change on retry.
      retry: (count, error) => count < 3 && (!(error instanceof QmpError) || error.notSent),
    },
  },
});

const BOTTOM_TABS: { id: BottomTab; label: string }[] = [
  { id: 'exports', label: 'Exports' },
  { id: 'events', label: 'Event log' },
  { id: 'run', label: 'Run command' },
  { id: 'audit', label: 'Audit' },
];

/** Hears that the proxy's list of targets changed; renders nothing (inside the QmpProvider). */
function TargetListFollower() {
  useTargetListUpdates();
  return null;
}

/**
 * The proxy closes the WebSocket of a page whose session ended (the server restarted with other
 * tokens, or the cookie expired) with 4001: the session is asked for again at once, so the
 * sign-in form shows then rather than at the next read of the targets.
 */
function SessionLossFollower() {
  const state = useConnectionState();
  const client = useQmpClient();
  const queryClient = useQueryClient();
  const ended = state === 'refused' && client.lastClose?.code === CloseCode.Unauthorized;
  useEffect(() => {
    if (ended) void queryClient.invalidateQueries({ queryKey: sessionOptions().queryKey });
  }, [ended, queryClient]);
  return null;
}

/**
 * What a target's kind changes on the page: a libvirt guest that Blockscope only watches gets
 * libvirt's commands instead of the operation dialogs, and the graph names its disks as libvirt
 * does. Everything else gets the operations feature.
 */
function TargetSpecifics({ info }: { info: TargetInfo | undefined }) {
  const disks = isLibvirtTarget(info) ? info.disks : null;
  const notes = useMemo(() => (disks ? libvirtNodeNotes(disks) : NO_NODE_NOTES), [disks]);
  const graph = (
    <NodeNotesContext.Provider value={notes}>
      <BlockGraphView />
    </NodeNotesContext.Provider>
  );
  return isLibvirtTarget(info) && !info.writable ? (
    <LibvirtOperationsHost target={info}>{graph}</LibvirtOperationsHost>
  ) : (
    <OperationsHost>{graph}</OperationsHost>
  );
}

/**
 * Signs in from a `#token=` in the address bar: when the page opens, and whenever one is pasted
 * into an open tab (a hash change does not reload the page). Then everything is read again, and
 * `signIns` counts up so that the QMP connection, refused with the old session, starts afresh.
 */
function useSignInFromLink(): {
  ready: boolean;
  linkRefused: boolean;
  signIns: number;
  signedIn: () => void;
} {
  const queryClient = useQueryClient();
  const [ready, setReady] = useState(false);
  const [linkRefused, setLinkRefused] = useState(false);
  const [signIns, setSignIns] = useState(0);
  const signedIn = useCallback(() => {
    setLinkRefused(false);
    setSignIns((n) => n + 1);
    void queryClient.resetQueries();
  }, [queryClient]);
  useEffect(() => {
    let first = true;
    const exchange = () =>
      void exchangeTokenFromFragment()
        .then((result) => {
          if (result === 'refused') setLinkRefused(true);
          if (result === 'accepted' && !first) signedIn();
        })
        .catch(() => undefined)
        .finally(() => {
          first = false;
          setReady(true);
        });
    exchange();
    window.addEventListener('hashchange', exchange);
    return () => window.removeEventListener('hashchange', exchange);
  }, [signedIn]);
  return { ready, linkRefused, signIns, signedIn };
}

function Dashboard() {
  const { ready: sessionReady, linkRefused, signIns, signedIn } = useSignInFromLink();
  const targets = useQuery({ ...targetsOptions(), enabled: sessionReady });
  const sources = useQuery({ ...targetSourcesOptions(), enabled: sessionReady });
  const session = useQuery({ ...sessionOptions(), enabled: sessionReady });
  const notSignedIn =
    (targets.error instanceof HttpError && targets.error.status === 401) ||
    (session.error instanceof HttpError && session.error.status === 401);
  // Signed in before, refused now: the session ended under the open page (a failed read keeps
  // the data of the last good one; signing in again resets the queries).
  const sessionEnded = notSignedIn && session.data !== undefined;
  // The view is in the address (route.ts): the fleet, every job, or one target.
  const route = useRoute();
  useRouteFocus(route);
  const fleetView = route?.view === 'fleet' || route?.view === 'jobs' ? route.view : null;
  const selected = route?.view === 'target' ? route.target : null;
  const setSelected = (name: string) => navigate({ view: 'target', target: name });
  // Targets come and go: a choice the proxy no longer lists falls back to the first target.
  const listed = targets.data ?? [];
  const target = fleetView
    ? null
    : ((selected !== null && listed.some((t) => t.name === selected) ? selected : null) ??
      listed[0]?.name ??
      null);
  const info = listed.find((t) => t.name === target);
  const libvirtWatched = isLibvirtTarget(info) && !info.writable ? info : null;
  const [theme, toggleTheme] = useTheme();
  const [tab, setTab] = useState<BottomTab>('exports');

  const page = (
    <div className="flex h-full flex-col bg-slate-50 text-slate-900 dark:bg-slate-950 dark:text-slate-100">
      <header className="flex items-center gap-3 border-b border-slate-200 bg-white px-4 py-2 dark:border-slate-800 dark:bg-slate-900">
        <h1 className="text-lg font-semibold tracking-tight">Blockscope</h1>
        <nav aria-label="Views" className="flex gap-2 text-sm">
          {(['fleet', 'jobs'] as const).map((view) => (
            <a
              key={view}
              href={routeHash({ view })}
              aria-current={fleetView === view ? 'page' : undefined}
              className="rounded px-2 py-1 hover:bg-slate-100 aria-[current=page]:font-semibold dark:hover:bg-slate-800"
            >
              {view === 'fleet' ? 'Fleet' : 'All jobs'}
            </a>
          ))}
        </nav>
        <TargetSwitcher targets={targets.data ?? []} selected={target} onSelect={setSelected} />
        <div className="ml-auto flex items-center gap-3">
          {session.data?.role === 'viewer' && (
            <span
              title="This session can look but not change anything: operations and job controls are off"
              className="rounded border border-amber-400 bg-amber-50 px-2 py-0.5 text-sm font-medium text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100"
            >
              Viewer · read-only
            </span>
          )}
          {target && <ConnectionBadge key={target} />}
          <button
            type="button"
            onClick={toggleTheme}
            className="rounded border border-slate-300 px-2 py-1 text-sm hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800"
            aria-label={theme === 'dark' ? 'Switch to light mode' : 'Switch to dark mode'}
          >
            {theme === 'dark' ? '☀ Light' : '☾ Dark'}
          </button>
        </div>
      </header>
      <SourceStatus sources={sources.data ?? []} />
      {isLibvirtTarget(info) && <LibvirtBanner key={target} target={info} />}
      {target && <QemuGoneBanner key={target} />}
      {target && <TargetListFollower />}
      {target && <SessionLossFollower />}
      {targets.isError && !notSignedIn && (
        <p
          role="alert"
          className="bg-red-50 px-4 py-2 text-sm text-red-800 dark:bg-red-950 dark:text-red-200"
        >
          Cannot read the list of targets from the Blockscope server ({targets.error.message});
          retrying.
        </p>
      )}
      {notSignedIn ? (
        <SignIn linkRefused={linkRefused} sessionEnded={sessionEnded} onSignedIn={signedIn} />
      ) : fleetView ? (
        <main className="flex min-h-0 flex-1 flex-col">
          <Suspense fallback={loading}>
            <FleetPage view={fleetView} />
          </Suspense>
        </main>
      ) : !target ? (
        <main className="grid flex-1 place-items-center text-slate-500 dark:text-slate-400">
          {targets.isPending
            ? 'Loading targets…'
            : targets.isError
              ? 'No list of targets yet.'
              : (sources.data?.length ?? 0) > 0
                ? 'No running guests yet: they appear here as libvirt starts them.'
                : 'No QEMU targets are configured.'}
        </main>
      ) : (
        <main className="flex min-h-0 flex-1">
          <DimmedWhenNotLive>
            <section aria-label="Block graph" className="relative min-w-0 flex-1">
              <TargetSpecifics info={info} />
            </section>
            <SideColumn
              tab={tab}
              onTab={setTab}
              tabs={BOTTOM_TABS}
              jobs={
                <JobsPanel
                  {...(libvirtWatched
                    ? {
                        controlsFor: (job) => (
                          <LibvirtJobControls target={libvirtWatched} job={job} />
                        ),
                      }
                    : {})}
                />
              }
            >
              {tab === 'exports' && (
                <section aria-label="Exports">
                  <ExportsPanel />
                </section>
              )}
              {tab === 'events' && (
                <section aria-label="Event log">
                  <EventLogPanel />
                </section>
              )}
              {tab === 'audit' && (
                <section aria-label="Audit log">
                  <AuditPanel />
                </section>
              )}
              {tab === 'run' && (
                <section aria-label="Run command">
                  <Suspense fallback={loading}>
                    <RunCommandPanel />
                  </Suspense>
                </section>
              )}
            </SideColumn>
          </DimmedWhenNotLive>
        </main>
      )}
    </div>
  );
  return target ? (
    <QmpProvider key={`${target}\0${signIns}`} target={target}>
      {page}
    </QmpProvider>
  ) : (
    page
  );
}

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <Dashboard />
    </QueryClientProvider>
  );
}
