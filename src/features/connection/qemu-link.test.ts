import { describe, expect, it } from 'vitest';
import { describeQemuLink } from './qemu-link.ts';

describe('describeQemuLink', () => {
  it('is live when the page runs and the proxy says QEMU is connected', () => {
    expect(describeQemuLink('running', null, { state: 'connected', since: 1 }, '7.2.0')).toEqual({
      live: true,
      version: '7.2.0',
    });
  });

  it('stays red, with the time of the loss, while the page retries after losing the server', () => {
    const lost = describeQemuLink('disconnected', 'connection lost', undefined, undefined, 5_000);
    const retrying = describeQemuLink('connecting', 'connection lost', undefined, undefined, 5_000);
    for (const link of [lost, retrying]) {
      expect(link).toMatchObject({ live: false, tone: 'red', since: 5_000 });
      expect(link.live === false && link.detail).toContain(
        'No connection to the Blockscope server',
      );
    }
  });

  it('is only "connecting" on a first connection, with nothing lost', () => {
    expect(describeQemuLink('connecting', null, undefined)).toMatchObject({ tone: 'amber' });
  });

  it('says QEMU is gone when the proxy says so, since when it heard', () => {
    const link = describeQemuLink('running', null, {
      state: 'disconnected',
      since: 9_000,
      reason: 'EOF',
    });
    expect(link).toMatchObject({
      live: false,
      tone: 'red',
      label: 'QEMU disconnected',
      since: 9_000,
    });
  });
});
