// The column beside the graph: the Jobs panel above, the Exports, Event log, Run command and Audit
// tabs below (one Tab stop; the arrow keys move between them). It folds into a narrow rail
// (remembered per browser) so that a small window gives the graph and the node details the room;
// folded, its content stays mounted, so the event log keeps recording and the tabs keep their
// state, and the rail still counts the jobs. The tabs' panel can also be enlarged over the whole
// column, made wider, for a long command or the event log.
import { useQuery } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { jobsOptions } from '../api/jobs-queries.ts';
import { useQmpClient, useTargetName } from '../api/qmp-context.tsx';

export type BottomTab = 'events' | 'exports' | 'run' | 'audit';

const STORAGE_KEY = 'blockscope.sideColumn';

function useFolded(): [boolean, (folded: boolean) => void] {
  const [folded, setFolded] = useState(() => localStorage.getItem(STORAGE_KEY) === 'folded');
  const set = (next: boolean) => {
    localStorage.setItem(STORAGE_KEY, next ? 'folded' : 'open');
    setFolded(next);
  };
  return [folded, set];
}

function useJobCount(): number {
  const client = useQmpClient();
  const target = useTargetName();
  // The Jobs panel's own read (same key): this only looks at what it has.
  const jobs = useQuery({ ...jobsOptions(client, target), enabled: false });
  return jobs.data?.snapshot.jobs.length ?? 0;
}

/**
 * The tab an arrow key, Home or End moves to: the tabs are one Tab stop, and the arrows choose
 * among them (the WAI-ARIA tabs pattern, selection following focus), wrapping at either end.
 */
function tabAfterKey<T>(tabs: { id: T }[], current: T, key: string): T | null {
  const at = tabs.findIndex((t) => t.id === current);
  if (at < 0 || tabs.length === 0) return null;
  const step =
    key === 'ArrowRight' || key === 'ArrowDown'
      ? 1
      : key === 'ArrowLeft' || key === 'ArrowUp'
        ? -1
        : 0;
  if (step !== 0) return tabs[(at + step + tabs.length) % tabs.length]!.id;
  if (key === 'Home') return tabs[0]!.id;
  if (key === 'End') return tabs.at(-1)!.id;
  return null;
}

const RAIL_BUTTON =
  'rounded px-1 py-2 text-xs font-medium text-slate-700 [writing-mode:vertical-rl] hover:bg-slate-200 dark:text-slate-200 dark:hover:bg-slate-800';

export function SideColumn({
  jobs,
  tabs,
  tab,
  onTab,
  children,
}: {
  jobs: ReactNode;
  tabs: { id: BottomTab; label: string }[];
  tab: BottomTab;
  onTab: (tab: BottomTab) => void;
  children: ReactNode;
}) {
  const [folded, setFolded] = useFolded();
  const ids = useId();
  const tabId = (id: BottomTab) => `${ids}-tab-${id}`;
  const panelId = `${ids}-panel`;
  // The tabs' panel enlarged over the whole column, the column wider (a long command, the log).
  const [enlarged, setEnlarged] = useState(false);
  const jobCount = useJobCount();
  // Folding or unfolding removes the button that was pressed: focus goes on to what it showed
  // (the Jobs panel, the tab asked for, or the rail), not back to the top of the page.
  const focusNext = useRef<'jobs' | 'tab' | 'rail' | null>(null);
  const jobsPanel = useRef<HTMLElement>(null);
  const tabList = useRef<HTMLDivElement>(null);
  const rail = useRef<HTMLElement>(null);
  useEffect(() => {
    const next = focusNext.current;
    focusNext.current = null;
    if (next === 'jobs') jobsPanel.current?.focus();
    if (next === 'tab')
      tabList.current?.querySelector<HTMLElement>('[aria-selected="true"]')?.focus();
    if (next === 'rail') rail.current?.querySelector<HTMLElement>('button')?.focus();
  }, [folded]);
  // A control that is disabled or goes away under focus (Complete while it runs, and once the
  // job has ended) would leave focus on <body>, and Tab would start again at the top: the Jobs
  // panel keeps it instead. (A removed element gets no blur event: the panel watches its own
  // content for that.)
  const focusedInJobs = useRef<Element | null>(null);
  useEffect(() => {
    const panel = jobsPanel.current;
    if (!panel) return;
    const observer = new MutationObserver(() => {
      const lost = focusedInJobs.current;
      const active = document.activeElement;
      if (lost && !lost.isConnected && (active === null || active === document.body)) {
        focusedInJobs.current = null;
        panel.focus();
      }
    });
    observer.observe(panel, { childList: true, subtree: true });
    return () => observer.disconnect();
  }, []);
  const open = (next?: BottomTab) => {
    if (next) onTab(next);
    focusNext.current = next ? 'tab' : 'jobs';
    setFolded(false);
  };
  const fold = () => {
    focusNext.current = 'rail';
    setFolded(true);
  };
  return (
    <>
      {folded && (
        <nav
          ref={rail}
          aria-label="Side panels"
          className="flex w-10 shrink-0 flex-col items-center gap-2 border-l border-slate-200 bg-slate-50 py-2 dark:border-slate-800 dark:bg-slate-950"
        >
          <button
            type="button"
            onClick={() => open()}
            aria-label="Show the side panels"
            aria-expanded={false}
            className="rounded px-1 text-sm hover:bg-slate-200 dark:hover:bg-slate-800"
          >
            «
          </button>
          <button type="button" className={RAIL_BUTTON} onClick={() => open()}>
            Jobs{jobCount > 0 ? ` (${jobCount})` : ''}
          </button>
          {tabs.map((t) => (
            <button key={t.id} type="button" className={RAIL_BUTTON} onClick={() => open(t.id)}>
              {t.label}
            </button>
          ))}
        </nav>
      )}
      <div
        hidden={folded}
        className={`${folded ? 'hidden' : 'flex'} ${enlarged ? 'w-[min(48rem,60vw)]' : 'w-[22rem] xl:w-[30rem]'} min-w-0 flex-col border-l border-slate-200 dark:border-slate-800`}
      >
        <aside
          ref={jobsPanel}
          tabIndex={-1}
          onFocus={(e) => (focusedInJobs.current = e.target)}
          onBlur={(e) => {
            const lost = e.target;
            if (e.relatedTarget !== null) {
              focusedInJobs.current = null;
              return;
            }
            // Nothing took focus: a button disabled while its command runs, or the page clicked.
            requestAnimationFrame(() => {
              const active = document.activeElement;
              if (active !== null && active !== document.body) return;
              if (!lost.isConnected || lost.matches(':disabled')) jobsPanel.current?.focus();
              else focusedInJobs.current = null;
            });
          }}
          aria-label="Jobs"
          className={`${enlarged ? 'hidden' : ''} min-h-0 flex-1 overflow-auto`}
        >
          <div className="sticky top-0 z-10 flex items-center bg-slate-50 px-3 py-2 dark:bg-slate-950">
            <h2 className="font-medium">Jobs</h2>
            <button
              type="button"
              onClick={fold}
              aria-label="Fold the side panels"
              aria-expanded={true}
              title="Fold the side panels into a rail, to give the graph the room"
              className="ml-auto rounded px-1.5 text-sm text-slate-700 hover:bg-slate-200 dark:text-slate-300 dark:hover:bg-slate-800"
            >
              »
            </button>
          </div>
          {jobs}
        </aside>
        <div className="flex min-h-0 flex-1 flex-col border-t border-slate-200 dark:border-slate-800">
          <div className="flex items-start gap-x-1 px-2 pt-2">
            {/* The tabs wrap onto a second row in a narrow column; the enlarge button stays. */}
            <div
              ref={tabList}
              role="tablist"
              aria-label="Panels"
              className="flex min-w-0 flex-1 flex-wrap gap-x-0.5"
            >
              {tabs.map((t) => (
                <button
                  key={t.id}
                  id={tabId(t.id)}
                  role="tab"
                  type="button"
                  aria-selected={tab === t.id}
                  aria-controls={panelId}
                  tabIndex={tab === t.id ? 0 : -1}
                  onClick={() => onTab(t.id)}
                  onKeyDown={(e) => {
                    const next = tabAfterKey(tabs, t.id, e.key);
                    if (!next) return;
                    e.preventDefault();
                    onTab(next);
                    document.getElementById(tabId(next))?.focus();
                  }}
                  className="rounded-t px-2 py-1 text-sm whitespace-nowrap aria-selected:bg-white aria-selected:font-medium dark:aria-selected:bg-slate-900"
                >
                  {t.label}
                </button>
              ))}
            </div>
            <button
              type="button"
              onClick={() => setEnlarged(!enlarged)}
              aria-pressed={enlarged}
              aria-label={enlarged ? 'Shrink' : 'Enlarge'}
              title={
                enlarged
                  ? 'Back to the usual size, the Jobs panel above'
                  : 'Give this panel the whole column, wider'
              }
              className="shrink-0 rounded px-2 py-0.5 text-xs text-slate-700 hover:bg-slate-200 dark:text-slate-300 dark:hover:bg-slate-800"
            >
              <span aria-hidden>{enlarged ? '⤡' : '⤢'}</span>
            </button>
          </div>
          <div
            id={panelId}
            role="tabpanel"
            aria-labelledby={tabId(tab)}
            className="min-h-0 flex-1 overflow-auto bg-white dark:bg-slate-900"
          >
            {children}
          </div>
        </div>
      </div>
    </>
  );
}
