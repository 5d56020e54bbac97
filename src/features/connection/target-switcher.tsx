// Picks which of the proxy's targets the page shows; each target's view is independent. Targets
// come and go while the page is open (libvirt guests), so the list follows the proxy's.
import type { TargetInfo } from '../../api/session.ts';

function optionText(t: TargetInfo): string {
  const version = t.version && t.state !== 'gone' ? ` (QEMU ${t.version})` : '';
  const managed = t.managed === 'libvirt' ? ' · libvirt' : '';
  return `${t.name} — ${t.state}${version}${managed}`;
}

export function TargetSwitcher({
  targets,
  selected,
  onSelect,
}: {
  targets: TargetInfo[];
  selected: string | null;
  onSelect: (name: string) => void;
}) {
  if (targets.length === 0) return null;
  return (
    <label className="flex items-center gap-2 text-sm">
      <span className="text-slate-500 dark:text-slate-400">Target</span>
      <select
        value={selected ?? ''}
        onChange={(e) => onSelect(e.target.value)}
        className="rounded border border-slate-300 bg-white px-2 py-1 dark:border-slate-700 dark:bg-slate-900"
      >
        {targets.map((t) => (
          <option key={t.name} value={t.name}>
            {optionText(t)}
          </option>
        ))}
      </select>
    </label>
  );
}
