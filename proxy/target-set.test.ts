import { afterEach, describe, expect, it, vi } from 'vitest';
import type { QmpEvent, QmpGreeting } from '../src/qmp/wire.ts';
import type { SocketAddress } from './config.ts';
import { Multiplexer, type SessionSink } from './multiplexer.ts';
import { TargetSet, type TargetChange, type TargetOrigin } from './target-set.ts';
import { Upstream } from './upstream.ts';

const origin: TargetOrigin = {
  managed: 'libvirt',
  uri: 'qemu:///system',
  domain: 'web1',
  writable: false,
  disks: [{ type: 'file', device: 'disk', target: 'vda', source: '/srv/web1.qcow2' }],
};

function makeSet(goneRetentionMs = 60_000) {
  const changes: TargetChange[] = [];
  const set = new TargetSet({
    // never started: these tests look at the set, not at a connection (and name local sockets only)
    create: (spec) =>
      new Multiplexer(
        new Upstream(spec.name, spec.address as SocketAddress, undefined, spec.traits),
      ),
    goneRetentionMs,
  });
  set.onChange((change) => changes.push(change));
  return { set, changes };
}

class RecordingSession implements SessionSink {
  events: QmpEvent[] = [];
  ended: string[] = [];
  flowState = { pending: 0, held: 0, paused: false };
  greet(_greeting: QmpGreeting): void {}
  event(event: QmpEvent): void {
    this.events.push(event);
  }
  end(reason: string): void {
    this.ended.push(reason);
  }
}

afterEach(() => vi.useRealTimers());

describe('TargetSet', () => {
  it('lists live targets with their origin, and gone ones with why', () => {
    const { set, changes } = makeSet();
    set.add({ name: 'vm1', address: { type: 'unix', path: '/nowhere/vm1.sock' } });
    set.add({ name: 'web1', address: { type: 'unix', path: '/nowhere/web1.sock' }, origin });
    expect(set.infos()).toEqual([
      { name: 'vm1', state: 'connecting' },
      { name: 'web1', state: 'connecting', ...origin },
    ]);
    expect(set.origin('web1')).toEqual(origin);
    set.markGone('web1', 'the libvirt guest stopped');
    expect(set.get('web1')).toBeUndefined();
    expect(set.has('web1')).toBe(true);
    expect(set.goneReason('web1')).toBe('the libvirt guest stopped');
    expect(set.multiplexers.has('web1')).toBe(false);
    expect(set.infos()[1]).toEqual({
      name: 'web1',
      state: 'gone',
      reason: 'the libvirt guest stopped',
      ...origin,
    });
    expect(changes).toEqual([{ added: ['vm1'] }, { added: ['web1'] }, { gone: ['web1'] }]);
    set.close();
  });

  it('tells the sessions of a target that goes, and ends them', () => {
    const { set } = makeSet();
    const mux = set.add({ name: 'web1', address: { type: 'unix', path: '/x' }, origin });
    const session = new RecordingSession();
    mux.attach(session);
    set.markGone('web1', 'stopped');
    expect(session.events.map((e) => [e.event, e.data])).toEqual([
      ['X_BLOCKSCOPE_TARGET_STATE', { state: 'gone', reason: 'stopped' }],
    ]);
    expect(session.ended).toEqual(['stopped']);
    expect(mux.sessionCount).toBe(0);
    set.close();
  });

  it('takes a name back when the target returns, and forgets a gone one after a while', () => {
    vi.useFakeTimers();
    const { set, changes } = makeSet(1_000);
    set.add({ name: 'web1', address: { type: 'unix', path: '/x' }, origin });
    set.markGone('web1', 'stopped');
    const again = set.add({ name: 'web1', address: { type: 'unix', path: '/y' }, origin });
    expect(set.get('web1')).toBe(again);
    vi.advanceTimersByTime(5_000);
    expect(set.has('web1')).toBe(true); // the retention timer of the old entry was cleared
    set.markGone('web1', 'stopped again');
    vi.advanceTimersByTime(999);
    expect(set.has('web1')).toBe(true);
    vi.advanceTimersByTime(1);
    expect(set.has('web1')).toBe(false);
    expect(set.infos()).toEqual([]);
    expect(changes.at(-1)).toEqual({ removed: ['web1'] });
    expect(() => {
      set.add({ name: 'a', address: { type: 'unix', path: '/a' } });
      set.add({ name: 'a', address: { type: 'unix', path: '/a' } });
    }).toThrow(/exists/);
    set.close();
  });

  it('reports its sources and tells listeners only when one changes', () => {
    const { set, changes } = makeSet();
    const source = { kind: 'libvirt' as const, id: 'qemu:///system', state: 'connected' as const };
    set.setSource({ ...source, targets: 1 });
    set.setSource({ ...source, targets: 1 });
    set.setSource({ ...source, targets: 2 });
    expect(changes).toEqual([{ sources: true }, { sources: true }]);
    expect(set.sourceInfos()).toEqual([{ ...source, targets: 2 }]);
    set.close();
  });
});
