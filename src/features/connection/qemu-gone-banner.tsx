// A banner nobody can miss while the page is not live: QEMU gone, its monitor taken, or the
// Blockscope server out of reach. It says since when, and that what is shown is the last state
// read — the views under it are dimmed by the app shell.
import type { ReactNode } from 'react';
import { useQemuLink } from './qemu-link.ts';

export function QemuGoneBanner() {
  const link = useQemuLink();
  if (link.live || link.tone === 'amber' || link.tone === 'slate' || !link.detail) return null;
  const since =
    link.since !== undefined ? ` since ${new Date(link.since).toLocaleTimeString()}` : '';
  return (
    <div
      role="alert"
      className="flex items-center gap-2 border-b border-red-300 bg-red-100 px-4 py-2 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100"
    >
      <span aria-hidden className="text-base">
        ⚠
      </span>
      <p>
        <strong>{link.label}</strong>
        {since}. {link.detail}. The graph and jobs below show the last state read, not QEMU now.
      </p>
    </div>
  );
}

/** Dims what it holds while the page is not live, so stale figures do not pass for live ones. */
export function DimmedWhenNotLive({ children }: { children: ReactNode }) {
  const link = useQemuLink();
  const stale = !link.live && link.tone === 'red';
  return (
    <div
      data-stale={stale}
      className="flex min-h-0 flex-1 transition-[filter,opacity] data-[stale=true]:opacity-60 data-[stale=true]:grayscale"
    >
      {children}
    </div>
  );
}
