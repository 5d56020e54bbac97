import { describe, expect, it } from 'vitest';
import { classifyLineHead } from './line-head.ts';

describe('classifyLineHead', () => {
  it.each([
    // the member orders QEMU 7.2 and 10.0 write
    [
      '{"timestamp": {"seconds": 1, "microseconds": 2}, "event": "BLOCK_JOB_READY"',
      { kind: 'event' },
    ],
    ['{"event": "X", "data": {', { kind: 'event' }],
    ['{"return": [{"iops_rd": 0, ', { kind: 'reply' }],
    [
      '{"id": "blockscope:3:17", "error": {"class": "GenericError", "desc": "xxx',
      { kind: 'reply', id: 'blockscope:3:17' },
    ],
    ['  {  "id" : "a\\"b", "error"', { kind: 'reply', id: 'a"b' }],
    ['{"id": 5, "error"', { kind: 'reply' }],
    ['[1,2,3', { kind: 'reply' }],
    ['', { kind: 'reply' }],
  ])('%j is %j', (head, expected) => {
    expect(classifyLineHead(head)).toEqual(expected);
  });
});
