// The proxy's connection to the target's QEMU, as the proxy tells it (X_BLOCKSCOPE_TARGET_STATE,
// sent right after negotiation and on every change). The page's own WebSocket can be up while
// QEMU is gone: this is what says so. Pushed only, like the backup ledger (pushed-record.ts).
import { ProxyEvent, type QmpEvent, type TargetState } from '../qmp/wire.ts';
import { pushedRecord } from './pushed-record.ts';

export interface UpstreamState {
  state: TargetState;
  version?: string;
  reason?: string;
  /** When the page heard of this state (epoch ms). */
  since: number;
  /** When QEMU was last seen connected, if ever while this page was open (epoch ms). */
  lastConnected?: number;
}

const STATES = new Set<string>([
  'connecting',
  'negotiating',
  'connected',
  'busy',
  'disconnected',
  'gone',
]);

/** The event's data as a state; `before` keeps the time a repeated state began. */
function nextState(data: QmpEvent['data'], before: UpstreamState | undefined, at: number) {
  const state = data?.state;
  if (typeof state !== 'string' || !STATES.has(state)) return undefined;
  const next: UpstreamState = {
    state: state as TargetState,
    // the same state again (a proxy re-announcing it) keeps the time it began
    since: before?.state === state ? before.since : at,
    ...(typeof data?.version === 'string' ? { version: data.version } : {}),
    ...(typeof data?.reason === 'string' ? { reason: data.reason } : {}),
  };
  const lastConnected = state === 'connected' ? at : before?.lastConnected;
  if (lastConnected !== undefined) next.lastConnected = lastConnected;
  return next;
}

const record = pushedRecord<UpstreamState>('upstream', ProxyEvent.TargetState, (data, before) =>
  nextState(data, before, Date.now()),
);

export const upstreamStateKey = record.key;
export const upstreamStateOptions = record.options;
export const watchUpstreamState = record.watch;
