// The browser side of authentication: the `#token=` fragment is exchanged once for an HttpOnly,
// SameSite=Strict cookie and then removed from the address bar; it never travels in a URL query.
import { queryOptions } from '@tanstack/react-query';
import type { TargetState } from '../qmp/wire.ts';

export type Role = 'operator' | 'viewer';

export interface SessionInfo {
  role: Role;
}

export interface TargetInfo {
  name: string;
  state: TargetState;
  version?: string;
  kind?: 'qemu-system' | 'qemu-storage-daemon' | 'unknown';
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function getJson<T>(path: string, init?: RequestInit): Promise<T> {
  const response = await fetch(path, { credentials: 'same-origin', ...init });
  if (!response.ok) throw new HttpError(response.status, `${path}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

/** Exchanges a `#token=` in the address bar for a session cookie, then removes it from history. */
export async function exchangeTokenFromFragment(): Promise<void> {
  const params = new URLSearchParams(window.location.hash.slice(1));
  const token = params.get('token');
  if (!token) return;
  params.delete('token');
  const rest = params.toString();
  window.history.replaceState(
    null,
    '',
    `${window.location.pathname}${window.location.search}${rest ? `#${rest}` : ''}`,
  );
  await fetch('/api/session', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { Authorization: `Bearer ${token}` },
  });
}

export function sessionOptions() {
  return queryOptions({
    queryKey: ['session'],
    queryFn: () => getJson<SessionInfo>('/api/session'),
    retry: (count, error) => !(error instanceof HttpError && error.status === 401) && count < 3,
  });
}

export function targetsOptions() {
  return queryOptions({
    queryKey: ['targets'],
    queryFn: () => getJson<TargetInfo[]>('/api/targets'),
    refetchInterval: 5_000,
  });
}
