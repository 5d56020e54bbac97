// The proxy's file look-up (GET /api/targets/NAME/file) as a query: what is at a path a plan
// would create a file at. A refusal (400, 403: outside --allow-path) is an answer the page shows;
// a failure of the proxy or the network is an error, retried.
import { queryOptions } from '@tanstack/react-query';
import type { PathLookup } from '../qmp/file-lookup.ts';
import { targetKey } from './query-keys.ts';
import { HttpError } from './session.ts';

/** Every look-up of a target, for invalidation after a plan ran. */
export function fileLookupsKey(target: string) {
  return [...targetKey(target), 'file'] as const;
}

async function lookUp(target: string, path: string, signal: AbortSignal): Promise<PathLookup> {
  const url = `/api/targets/${encodeURIComponent(target)}/file?path=${encodeURIComponent(path)}`;
  const response = await fetch(url, { credentials: 'same-origin', signal });
  const body = (await response.json().catch(() => ({}))) as PathLookup | { error?: unknown };
  if (response.ok) return body as PathLookup;
  const error = 'error' in body && typeof body.error === 'string' ? body.error : undefined;
  if ((response.status === 400 || response.status === 403) && error) return { path, error };
  throw new HttpError(
    response.status,
    error ?? `the file look-up failed (HTTP ${response.status})`,
  );
}

export function fileLookupOptions(target: string, path: string) {
  return queryOptions({
    queryKey: [...fileLookupsKey(target), path] as const,
    queryFn: ({ signal }) => lookUp(target, path, signal),
    // Files change outside the page: asked again whenever the panel shows the path anew.
    staleTime: 0,
    retry: (count, error) =>
      !(error instanceof HttpError && error.status >= 400 && error.status < 500) && count < 2,
  });
}
