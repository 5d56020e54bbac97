import { describe, expect, it } from 'vitest';
import { parseServerArgs } from './config.ts';
import { targetNameOfSocket } from './target-dir.ts';

describe('--target-dir', () => {
  it('names a target after its socket file, without the extension', () => {
    expect(targetNameOfSocket('vm1.qmp')).toBe('vm1');
    expect(targetNameOfSocket('web.prod.sock')).toBe('web.prod');
    expect(targetNameOfSocket('store')).toBe('store');
    // names a target cannot have are skipped (and logged), never rewritten into another name
    expect(targetNameOfSocket('.hidden.qmp')).toBeNull();
    expect(targetNameOfSocket('1vm.qmp')).toBeNull();
    expect(targetNameOfSocket('a b.qmp')).toBeNull();
  });

  it('is enough on its own to serve, and repeatable', () => {
    const config = parseServerArgs(['--target-dir', '/run/a', '--target-dir', '/run/b'], {
      requireTargets: true,
    });
    expect(config.targetDirs).toEqual(['/run/a', '/run/b']);
  });
});
