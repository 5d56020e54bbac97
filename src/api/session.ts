// The browser side of authentication: the `#token=` fragment is exchanged once for an HttpOnly,
// SameSite=Strict cookie and then removed from the address bar; it never travels in a URL query.
import { queryOptions, useQuery } from '@tanstack/react-query';
import type { TargetState } from '../qmp/wire.ts';

export type Role = 'operator' | 'viewer';

export interface SessionInfo {
  role: Role;
  /** The --allow-path directories (real paths): where files and sockets may be named. */
  allowPaths?: string[];
}

/** One disk of a libvirt guest, as `virsh domblklist --details` lists it. */
export interface LibvirtDisk {
  type: string;
  device: string;
  /** The guest's name for it, e.g. vda. */
  target: string;
  /** The image libvirt names ('' for an empty drive). */
  source: string;
}

export interface TargetInfo {
  name: string;
  state: TargetState;
  version?: string;
  kind?: 'qemu-system' | 'qemu-storage-daemon' | 'unknown';
  /** Why it is not connected, or why it went (state `gone`). */
  reason?: string;
  /** Set for a guest of a --libvirt connection; uri, domain, writable and disks come with it. */
  managed?: 'libvirt';
  uri?: string;
  domain?: string;
  /** Mutating commands are relayed (--libvirt-allow-writes). */
  writable?: boolean;
  disks?: LibvirtDisk[];
}

/** A libvirt guest's target, with what the proxy tells about it. */
export type LibvirtTarget = TargetInfo & {
  managed: 'libvirt';
  uri: string;
  domain: string;
  writable: boolean;
  disks: LibvirtDisk[];
};

export function isLibvirtTarget(target: TargetInfo | undefined): target is LibvirtTarget {
  return target?.managed === 'libvirt';
}

/** Where discovered targets come from (one --libvirt URI), as GET /api/target-sources tells. */
export interface SourceInfo {
  kind: 'libvirt' | 'target-dir';
  id: string;
  state: 'connecting' | 'connected' | 'unreachable';
  reason?: string;
  /** Epoch milliseconds of the next attempt while unreachable. */
  retryAt?: number;
  targets: number;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function getJson<T>(path: string, init?: RequestInit): Promise<T> {
  const response = await fetch(path, { credentials: 'same-origin', ...init });
  if (!response.ok) throw new HttpError(response.status, `${path}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

export type SignInResult = 'none' | 'accepted' | 'refused';

/** Trades a token for the session cookie; 'refused' when the server does not know the token. */
export async function signIn(token: string): Promise<Exclude<SignInResult, 'none'>> {
  const response = await fetch('/api/session', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { Authorization: `Bearer ${token}` },
  });
  if (response.status === 401 || response.status === 403) return 'refused';
  if (!response.ok) throw new HttpError(response.status, `/api/session: HTTP ${response.status}`);
  return 'accepted';
}

/** Exchanges a `#token=` in the address bar for a session cookie, then removes it from history. */
export async function exchangeTokenFromFragment(): Promise<SignInResult> {
  const params = new URLSearchParams(window.location.hash.slice(1));
  const token = params.get('token');
  if (!token) return 'none';
  params.delete('token');
  const rest = params.toString();
  window.history.replaceState(
    null,
    '',
    `${window.location.pathname}${window.location.search}${rest ? `#${rest}` : ''}`,
  );
  // A token pasted with stray spaces or quotes is still the token.
  return signIn(token.trim().replace(/^["']|["']$/g, ''));
}

/** A refusal that waiting will not change (not signed in, not allowed, not found). */
export function isClientRefusal(error: unknown): boolean {
  return error instanceof HttpError && error.status >= 400 && error.status < 500;
}

const retryUnlessRefused = (count: number, error: Error) => !isClientRefusal(error) && count < 3;

export function sessionOptions() {
  return queryOptions({
    queryKey: ['session'],
    queryFn: () => getJson<SessionInfo>('/api/session'),
    retry: retryUnlessRefused,
  });
}

// Both lists are read again when the proxy says they changed (X_BLOCKSCOPE_TARGETS, which every
// session hears: target-updates.ts), and every few seconds for connection states it does not tell.
// With no target there is no session to hear it, so the list is read every second until one comes.
export function targetsOptions() {
  return queryOptions({
    queryKey: ['targets'],
    queryFn: () => getJson<TargetInfo[]>('/api/targets'),
    retry: retryUnlessRefused,
    refetchInterval: (query) => ((query.state.data?.length ?? 0) > 0 ? 5_000 : 1_000),
  });
}

export function targetSourcesOptions() {
  return queryOptions({
    queryKey: ['target-sources'],
    queryFn: () => getJson<SourceInfo[]>('/api/target-sources'),
    retry: retryUnlessRefused,
    refetchInterval: 5_000,
  });
}

/** What a viewer sees on every control that would change QEMU's state. */
export const READ_ONLY_REASON = 'Read-only session: a viewer can look but not change anything';

/**
 * Why this session may not change QEMU's state, or null for an operator. The proxy refuses a
 * viewer's writes whatever the page does; this lets the page say so before a form is filled.
 */
export function useReadOnlyReason(): string | null {
  return useQuery(sessionOptions()).data?.role === 'viewer' ? READ_ONLY_REASON : null;
}
