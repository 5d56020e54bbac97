// What Chromium actually received for the page it shows: the Resource Timing entries of the
// document and of every resource it fetched (the layout worker's script included), with
// transferSize (bytes over the connection: the encoded body plus headers) beside the encoded and
// decoded body sizes, so a compressed response shows as such.
import type { Page } from '@playwright/test';

export interface Transfer {
  path: string;
  /** Bytes received for the response, headers included (0 when it came from a cache). */
  bytes: number;
  encodedBody: number;
  decodedBody: number;
}

export function receivedSoFar(page: Page): Promise<Transfer[]> {
  return page.evaluate(() =>
    [
      ...performance.getEntriesByType('navigation'),
      ...performance.getEntriesByType('resource'),
    ].map((entry) => {
      const timing = entry as PerformanceResourceTiming;
      return {
        path: new URL(timing.name).pathname,
        bytes: timing.transferSize,
        encodedBody: timing.encodedBodySize,
        decodedBody: timing.decodedBodySize,
      };
    }),
  );
}
