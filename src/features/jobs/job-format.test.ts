import { describe, expect, it } from 'vitest';
import type { JobRow } from './job-model.ts';
import { formatDuration, statusWords } from './job-format.ts';
import { noticeFor, titleWithBadge } from './job-notifications.ts';

describe('formatting', () => {
  it('formats durations', () => {
    expect(formatDuration(42.4)).toBe('42 s');
    expect(formatDuration(185)).toBe('3 min 05 s');
    expect(formatDuration(7620)).toBe('2 h 07 min');
  });

  it('puts states in words, distinguishing failure and I/O-error pauses', () => {
    expect(statusWords('ready')).toBe('Ready to complete');
    expect(statusWords('concluded', undefined, 'No space left on device')).toBe('Failed');
    expect(statusWords('paused', 'failed')).toBe('Paused by I/O error (failed)');
    expect(statusWords('paused', 'ok')).toBe('Paused');
  });
});

describe('attention', () => {
  const row = (status: string, error?: string) => ({ id: 'x', status, error }) as JobRow;

  it('badges the title with ready and failed counts', () => {
    expect(titleWithBadge('Blockscope', [row('ready'), row('running')])).toBe(
      '(1 ready) Blockscope',
    );
    expect(titleWithBadge('Blockscope', [row('standby'), row('concluded', 'EIO')])).toBe(
      '(1 ready, 1 failed) Blockscope',
    );
    expect(titleWithBadge('Blockscope', [row('running')])).toBe('Blockscope');
  });

  it('notifies on ready, completion, failure and cancel only', () => {
    const t = { seconds: 1, microseconds: 0 };
    expect(
      noticeFor(
        { event: 'BLOCK_JOB_READY', data: { device: 'm1', type: 'mirror' }, timestamp: t },
        'demo',
      )?.title,
    ).toBe('mirror m1 is ready');
    expect(
      noticeFor(
        {
          event: 'BLOCK_JOB_COMPLETED',
          data: { device: 'm1', type: 'mirror', error: 'EIO' },
          timestamp: t,
        },
        'demo',
      ),
    ).toEqual({ title: 'mirror m1 failed', body: 'On demo: EIO' });
    expect(
      noticeFor(
        { event: 'JOB_STATUS_CHANGE', data: { id: 'm1', status: 'concluded' }, timestamp: t },
        'demo',
      ),
    ).toBeNull();
  });
});
