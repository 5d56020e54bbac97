import { describe, expect, it } from 'vitest';
import { parseRoute, routeHash, type Route } from './route.ts';

describe('routes', () => {
  it('round-trips every view, with names that need encoding', () => {
    const routes: Route[] = [
      { view: 'fleet' },
      { view: 'jobs' },
      { view: 'target', target: 'vm1' },
      { view: 'target', target: 'web.prod', node: 'drive/0 #a?' },
      { view: 'target', target: 'qsd', job: 'mirror-1%' },
    ];
    for (const route of routes) expect(parseRoute(routeHash(route))).toEqual(route);
    expect(routeHash({ view: 'target', target: 'vm1', node: 'a/b' })).toBe(
      '#/target/vm1/node/a%2Fb',
    );
  });

  it('names no view for anything else', () => {
    for (const hash of [
      '',
      '#',
      '#token=abc',
      '#/nope',
      '#/target',
      '#/target/vm/node',
      '#/target/vm/x/y',
      '#/target/%E0%A4%A',
    ]) {
      expect(parseRoute(hash), hash).toBeNull();
    }
  });
});
