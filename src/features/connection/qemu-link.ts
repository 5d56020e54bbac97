// Whether what the page shows is live: the page's WebSocket to the proxy and the proxy's
// connection to QEMU (as the proxy tells it) both have to be up. One answer for the header badge,
// the banner and the dimmed views.
import { useConnectionState, useQmpClient, useUpstreamState } from '../../api/qmp-context.tsx';
import type { UpstreamState } from '../../api/upstream-state.ts';
import type { ClientState } from '../../qmp/client.ts';
import { formatQemuVersion } from '../../qmp/wire.ts';

export type QemuLink =
  | { live: true; version?: string }
  | {
      live: false;
      tone: 'red' | 'amber' | 'slate';
      label: string;
      detail?: string;
      since?: number;
    };

export function describeQemuLink(
  page: ClientState,
  problem: string | null,
  upstream: UpstreamState | undefined,
  /** The version in the session's own greeting (the proxy puts the target's QEMU there). */
  greetedVersion?: string,
  /** When the page lost the server (kept while it retries), if it did. */
  lostAt?: number | null,
): QemuLink {
  if (page !== 'running') {
    // A retry after a loss is still the outage: the banner stays up while the page tries again.
    const retrying = (page === 'connecting' || page === 'negotiating') && problem !== null;
    if (page === 'disconnected' || page === 'refused' || retrying) {
      return {
        live: false,
        tone: 'red',
        label: page === 'refused' ? 'Disconnected' : 'Disconnected — retrying',
        detail: `No connection to the Blockscope server${problem ? `: ${problem}` : ''}`,
        ...(lostAt != null ? { since: lostAt } : {}),
      };
    }
    if (page === 'closed') return { live: false, tone: 'slate', label: 'Closed' };
    return { live: false, tone: 'amber', label: 'Connecting…' };
  }
  // A proxy that never tells (none in use today) is taken at its word that QEMU is there.
  if (!upstream || upstream.state === 'connected') {
    const version = greetedVersion ?? upstream?.version;
    return { live: true, ...(version ? { version } : {}) };
  }
  const reason = upstream.reason ? `: ${upstream.reason}` : '';
  const since = upstream.since;
  switch (upstream.state) {
    case 'disconnected':
      return {
        live: false,
        tone: 'red',
        label: 'QEMU disconnected',
        detail: `QEMU is not connected${reason}. Blockscope keeps trying and reads everything again when it is back`,
        since,
      };
    case 'busy':
      return {
        live: false,
        tone: 'red',
        label: 'QEMU monitor busy',
        detail: `Another client holds this QEMU's QMP monitor${reason}. Blockscope keeps trying`,
        since,
      };
    case 'gone':
      return {
        live: false,
        tone: 'red',
        label: 'Target gone',
        detail: `This target is gone${reason}`,
        since,
      };
    default:
      return { live: false, tone: 'amber', label: 'Connecting to QEMU…', since };
  }
}

export function useQemuLink(): QemuLink {
  const page = useConnectionState();
  const client = useQmpClient();
  const upstream = useUpstreamState();
  const greeted = client.greeting ? formatQemuVersion(client.greeting.QMP.version) : undefined;
  return describeQemuLink(page, client.problem, upstream, greeted, client.lostAt);
}
