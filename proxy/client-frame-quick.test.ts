import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readStrictJson } from '../src/qmp/strict-json.ts';
import { quickRead, readClientFrame } from './client-frame.ts';

/** What the strict parser makes of a text: its value, or that it refuses or flags it. */
function strict(text: string): unknown {
  try {
    const read = readStrictJson(text);
    return read.problem ? 'problem' : read.value;
  } catch {
    return 'refused';
  }
}

describe('quickRead, the quick path for small plain frames', () => {
  it('takes the frames clients write and gives what the strict parser gives', () => {
    for (const text of [
      '{"execute":"query-version","id":17}',
      '{"execute":"query-named-block-nodes","arguments":{"flat":true},"id":"c:12"}',
      '{"execute":"block-job-set-speed","arguments":{"device":"m1","speed":1048576},"id":[1,null]}',
    ]) {
      expect(quickRead(text)).toEqual(strict(text));
      expect(quickRead(text)).not.toBeUndefined();
    }
  });

  it('leaves to the strict parser every text it might read differently', () => {
    for (const text of [
      '{"execute":"a","execute":"b"}', // duplicate key: JSON.parse keeps the last
      '{"execute":"query-status","id":9007199254740993}', // beyond 2^53
      '{"execute":"q","arguments":{"n":2e400}}', // out of range
      '{"execute":"q","arguments":{"n":1e3}}', // exponent: the strict parser decides
      '{"execute":"q","id":-0}',
      '{"execute":"q","id":"\\ud800"}', // an escape (a lone surrogate)
      '{"execute":"q","id":"\u00e9"}', // not ASCII
      '{ "execute": "q" }', // whitespace
      '{"execute":"q"}{"execute":"r"}', // two objects
      `${'['.repeat(33)}${']'.repeat(33)}`, // deeper than the quick read goes
    ])
      expect(quickRead(text), text).toBeUndefined();
  });

  it('agrees with the strict parser on arbitrary JSON texts and mutations of them', () => {
    const texts = fc.oneof(
      fc.json({ maxDepth: 4 }),
      fc
        .tuple(fc.json({ maxDepth: 3 }), fc.nat(), fc.string({ maxLength: 3 }))
        .map(
          ([t, at, insert]) =>
            t.slice(0, at % (t.length + 1)) + insert + t.slice(at % (t.length + 1)),
        ),
    );
    fc.assert(
      fc.property(texts, (text) => {
        const quick = quickRead(text);
        if (quick !== undefined) expect(quick).toEqual(strict(text));
      }),
      { numRuns: 3000 },
    );
  });

  it('gives the same command through readClientFrame either way', () => {
    const text = '{"execute":"query-block","id":{"tab":3}}';
    expect(quickRead(text)).toBeDefined();
    expect(readClientFrame(text)).toEqual({
      command: 'query-block',
      args: undefined,
      id: { value: { tab: 3 } },
    });
  });
});
