// The header's word on whether the page is live: its connection to the Blockscope server and the
// server's connection to QEMU, in words and colour.
import { useQemuLink } from './qemu-link.ts';

const TONES = {
  green: 'bg-emerald-500',
  red: 'bg-red-500',
  amber: 'bg-amber-500',
  slate: 'bg-slate-400',
} as const;

export function ConnectionBadge() {
  const link = useQemuLink();
  const tone = link.live ? TONES.green : TONES[link.tone];
  return (
    <span role="status" aria-label="Connection" className="flex items-center gap-2 text-sm">
      <span className={`h-2.5 w-2.5 rounded-full ${tone}`} aria-hidden />
      {link.live ? 'Connected' : link.label}
      {link.live && link.version && (
        <span className="text-slate-500 dark:text-slate-400">QEMU {link.version}</span>
      )}
    </span>
  );
}
