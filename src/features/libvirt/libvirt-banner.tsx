// Says, above the graph, that the target is a libvirt guest: which domain on which connection,
// whether Blockscope only watches it, and, once per guest, that watching through libvirt's
// passthrough marks the domain tainted in libvirt's log.
import { useState } from 'react';
import type { LibvirtTarget } from '../../api/session.ts';

const seenKey = (target: LibvirtTarget) =>
  `blockscope.libvirt-taint-notice:${target.uri}:${target.domain}`;

function seen(target: LibvirtTarget): boolean {
  try {
    return window.localStorage.getItem(seenKey(target)) === '1';
  } catch {
    return false;
  }
}

export function LibvirtBanner({ target }: { target: LibvirtTarget }) {
  const [noticeSeen, setNoticeSeen] = useState(() => seen(target));
  const dismiss = () => {
    try {
      window.localStorage.setItem(seenKey(target), '1');
    } catch {
      /* private mode: shown again next time */
    }
    setNoticeSeen(true);
  };
  return (
    <section
      aria-label="Managed by libvirt"
      className="flex flex-col gap-0.5 border-b border-violet-200 bg-violet-50 px-4 py-1 text-xs text-violet-950 dark:border-violet-900 dark:bg-violet-950 dark:text-violet-100"
    >
      <p className="truncate" title={`${target.domain} on ${target.uri}`}>
        <strong>Managed by libvirt</strong>: domain <code>{target.domain}</code> on{' '}
        <code className="break-all">{target.uri}</code>.{' '}
        {target.writable ? (
          <span>
            Writes are allowed (--libvirt-allow-writes): operations change the guest behind
            libvirt&apos;s back, and libvirt&apos;s own record of its disks and jobs can go wrong.
          </span>
        ) : (
          <span>
            Blockscope only watches it; each operation shows the virsh command that does it
            libvirt&apos;s way.
          </span>
        )}
      </p>
      {!noticeSeen && (
        <p role="note" className="flex items-center gap-2">
          <span>
            Watching goes through libvirt&apos;s QMP passthrough, which marks the domain tainted
            (custom-monitor) in libvirt&apos;s log until the guest next stops.
          </span>
          <button
            type="button"
            onClick={dismiss}
            className="ml-auto shrink-0 rounded border border-violet-300 px-2 hover:bg-violet-100 dark:border-violet-700 dark:hover:bg-violet-900"
          >
            Understood
          </button>
        </p>
      )}
    </section>
  );
}
