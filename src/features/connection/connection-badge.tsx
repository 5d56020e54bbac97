// The state of the page's connection to the current target, in words and colour.
import { useConnectionState, useQmpClient } from '../../api/qmp-context.tsx';
import { formatQemuVersion } from '../../qmp/wire.ts';

const LABELS: Record<string, { text: string; tone: string }> = {
  idle: { text: 'Idle', tone: 'bg-slate-400' },
  connecting: { text: 'Connecting…', tone: 'bg-amber-500' },
  negotiating: { text: 'Connecting…', tone: 'bg-amber-500' },
  running: { text: 'Connected', tone: 'bg-emerald-500' },
  disconnected: { text: 'Disconnected — retrying', tone: 'bg-red-500' },
  refused: { text: 'Disconnected', tone: 'bg-red-500' },
  closed: { text: 'Closed', tone: 'bg-slate-400' },
};

export function ConnectionBadge() {
  const state = useConnectionState();
  const client = useQmpClient();
  const label = LABELS[state] ?? { text: state, tone: 'bg-slate-400' };
  const version = client.greeting ? `QEMU ${formatQemuVersion(client.greeting.QMP.version)}` : null;
  return (
    <span role="status" aria-label="Connection" className="flex items-center gap-2 text-sm">
      <span className={`h-2.5 w-2.5 rounded-full ${label.tone}`} aria-hidden />
      {label.text}
      {version && state === 'running' && <span className="text-slate-500">{version}</span>}
      {/* why the connection ended (close-codes.ts); a refused session is not retried */}
      {client.problem && (state === 'disconnected' || state === 'refused') && (
        <span className="text-slate-500">{client.problem}</span>
      )}
    </span>
  );
}
