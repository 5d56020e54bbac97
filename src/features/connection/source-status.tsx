// Where discovered targets come from (each --libvirt connection, each --target-dir) and whether it
// can be reached: a host that is down or refuses is shown with libvirt's reason and when it is
// tried again; a directory that cannot be read, with why.
import { useEffect, useState } from 'react';
import type { SourceInfo } from '../../api/session.ts';

function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, [active]);
  return now;
}

export function SourceStatus({ sources }: { sources: SourceInfo[] }) {
  const down = sources.filter((s) => s.state === 'unreachable');
  const now = useNow(down.length > 0);
  if (sources.length === 0) return null;
  return (
    <section aria-label="target sources" className="flex flex-col text-xs">
      {sources.map((source) =>
        source.kind === 'target-dir' ? (
          <p
            key={source.id}
            {...(source.state === 'unreachable' ? { role: 'alert' } : {})}
            className={
              source.state === 'unreachable'
                ? 'bg-red-50 px-4 py-1 text-red-800 dark:bg-red-950 dark:text-red-200'
                : 'px-4 py-0.5 text-slate-500 dark:text-slate-400'
            }
          >
            Directory <code className="break-all">{source.id}</code>:{' '}
            {source.state === 'unreachable'
              ? (source.reason ?? 'cannot be read')
              : `${source.targets} QMP socket${source.targets === 1 ? '' : 's'}`}
          </p>
        ) : source.state === 'unreachable' ? (
          <p
            key={source.id}
            role="alert"
            className="bg-red-50 px-4 py-1 text-red-800 dark:bg-red-950 dark:text-red-200"
          >
            libvirt <code className="break-all">{source.id}</code> is unreachable
            {source.reason ? `: ${source.reason}` : ''}.{' '}
            {source.retryAt !== undefined &&
              (source.retryAt > now
                ? `Trying again in ${Math.ceil((source.retryAt - now) / 1000)} s.`
                : 'Trying again now.')}{' '}
            {source.targets > 0 &&
              `Its ${source.targets} guest${source.targets === 1 ? '' : 's'} stay listed until it is back.`}
          </p>
        ) : (
          <p key={source.id} className="px-4 py-0.5 text-slate-500 dark:text-slate-400">
            libvirt <code className="break-all">{source.id}</code>:{' '}
            {source.state === 'connected'
              ? `${source.targets} running guest${source.targets === 1 ? '' : 's'}`
              : 'connecting…'}
          </p>
        ),
      )}
    </section>
  );
}
