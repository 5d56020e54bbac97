// Every view has its own address, in the fragment (the server serves only the page itself, so the
// path cannot carry it): #/fleet, #/jobs, #/target/NAME, #/target/NAME/node/NODE and
// #/target/NAME/job/JOB. Names are percent-encoded, so any node or job name survives the trip.
// The #token= of the server's first URL is taken out before routing (exchangeTokenFromFragment).
import { useEffect, useState } from 'react';

export type Route =
  | { view: 'fleet' }
  | { view: 'jobs' }
  | { view: 'target'; target: string; node?: string; job?: string };

export function parseRoute(hash: string): Route | null {
  const path = hash.replace(/^#/, '');
  if (!path.startsWith('/')) return null;
  let parts: string[];
  try {
    parts = path.slice(1).split('/').map(decodeURIComponent);
  } catch {
    return null; // bad percent-encoding
  }
  const [first, target, kind, id, ...rest] = parts;
  if (first === 'fleet' && parts.length === 1) return { view: 'fleet' };
  if (first === 'jobs' && parts.length === 1) return { view: 'jobs' };
  if (first !== 'target' || !target || rest.length > 0) return null;
  if (kind === undefined) return { view: 'target', target };
  if (kind === 'node' && id) return { view: 'target', target, node: id };
  if (kind === 'job' && id) return { view: 'target', target, job: id };
  return null;
}

export function routeHash(route: Route): string {
  if (route.view !== 'target') return `#/${route.view}`;
  const base = `#/target/${encodeURIComponent(route.target)}`;
  if (route.node !== undefined) return `${base}/node/${encodeURIComponent(route.node)}`;
  if (route.job !== undefined) return `${base}/job/${encodeURIComponent(route.job)}`;
  return base;
}

/** The current route (null for an address that names none: the app picks its default view). */
export function useRoute(): Route | null {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const update = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', update);
    update();
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return route;
}

export function navigate(route: Route, { replace = false } = {}): void {
  const hash = routeHash(route);
  if (window.location.hash === hash) return;
  if (replace) {
    window.history.replaceState(null, '', hash);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else window.location.hash = hash;
}

/**
 * Writes what is on screen into the address (a node chosen in the graph) so it can be copied or
 * kept, without a history entry and without acting on it: the page is already there.
 */
export function noteInAddress(route: Route): void {
  const hash = routeHash(route);
  if (window.location.hash !== hash) window.history.replaceState(null, '', hash);
}
