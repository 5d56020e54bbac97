// Sessions that pipeline like a QMP script: each writes all of its commands at once, with ids
// that collide (even sessions use 0…n-1 like every other even session, odd sessions use one id
// for everything), and reads the replies as they come. The replies must come back one per
// command, in the order of the commands, each with its own id and with content that only that
// command's reply can have:
//   - qom-get of the session's own throttle group (its limits name the session),
//   - qom-get of another session's group, picked by the command's index,
//   - qom-get of a property named after session and index (QEMU's error names it),
//   - object-del of an object named after session and index (the proxy's refusal, after it has
//     asked QEMU, names it),
//   - quit (refused by the policy at once, so it must wait for the replies before it),
//   - query-version, and every 100th frame malformed JSON (an error without an id).
import type { WebSocket } from 'ws';
import type { DirectQmp } from './direct-qmp.ts';
import type { ProxyHandle } from '../../proxy/server.ts';
import { WsQmp, type Message } from '../integration/proxy-helpers.ts';

export interface PipelineLedger {
  /** Replies that matched their command, in order (the end marker included). */
  answered: number;
  /** Replies that did not match the command at their position (wrong id, content, or order). */
  wrong: number;
  /** BlockscopeOverloaded replies (counted in `wrong` too). */
  refused: number;
  /** The first mismatch, for the failure message. */
  firstWrong?: string;
}

/** Throttle groups tg0…tg{count-1} with bps-total 1000+i, made through the test's own monitor. */
export async function addThrottleGroups(direct: DirectQmp, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    await direct.execute('object-add', {
      'qom-type': 'throttle-group',
      id: `tg${i}`,
      limits: { 'bps-total': 1000 + i },
    });
  }
}

interface Planned {
  frame: string;
  check: (reply: Message) => boolean;
}

const errorOf = (reply: Message) => reply.error as { class?: string; desc?: string } | undefined;
const limitsOf = (reply: Message) =>
  (reply.return as { 'bps-total'?: number } | undefined)?.['bps-total'];

/** Command `i` of session `s`, and how its reply is recognised. */
function plan(s: number, i: number, groups: number, qemuMajor: number, last: number): Planned {
  const id = s % 2 === 0 ? i : 'same';
  const hasId = (reply: Message) => reply.id === id;
  const frame = (execute: string, args?: object) =>
    JSON.stringify({ execute, ...(args ? { arguments: args } : {}), id });
  if (i === last) {
    // The end marker: a reply left over or repeated from before would take its place.
    return {
      frame: JSON.stringify({ execute: 'query-status', id: 'end' }),
      check: (r) => r.id === 'end' && 'return' in r,
    };
  }
  if (i % 100 === 99) {
    return {
      frame: '{"execute":"qom-get","id":',
      check: (r) => !('id' in r) && errorOf(r)?.class === 'BlockscopeBadRequest',
    };
  }
  switch (i % 10) {
    case 4:
    case 5: {
      const g = (s + i) % groups;
      return {
        frame: frame('qom-get', { path: `/objects/tg${g}`, property: 'limits' }),
        check: (r) => hasId(r) && limitsOf(r) === 1000 + g,
      };
    }
    case 6:
      return {
        frame: frame('query-version'),
        check: (r) =>
          hasId(r) && (r.return as { qemu?: { major?: number } })?.qemu?.major === qemuMajor,
      };
    case 7:
      return {
        frame: frame('quit'),
        check: (r) => hasId(r) && errorOf(r)?.class === 'BlockscopeDenied',
      };
    case 8:
      return {
        frame: frame('object-del', { id: `nope-${s}-${i}` }),
        check: (r) =>
          hasId(r) &&
          errorOf(r)?.class === 'BlockscopeDenied' &&
          errorOf(r)!.desc!.includes(`'nope-${s}-${i}'`),
      };
    case 9:
      return {
        frame: frame('qom-get', { path: `/objects/tg${s % groups}`, property: `p${s}-${i}` }),
        check: (r) => hasId(r) && errorOf(r)?.desc?.includes(`p${s}-${i}`) === true,
      };
    default:
      return {
        frame: frame('qom-get', { path: `/objects/tg${s % groups}`, property: 'limits' }),
        check: (r) => hasId(r) && limitsOf(r) === 1000 + (s % groups),
      };
  }
}

/** Opens `count` negotiated sessions, 16 at a time (the proxy caps unfinished upgrades at 32). */
export async function openSessions(proxy: ProxyHandle, target: string, count: number) {
  const sessions: WsQmp[] = [];
  while (sessions.length < count) {
    const batch = Math.min(16, count - sessions.length);
    sessions.push(
      ...(await Promise.all(Array.from({ length: batch }, () => WsQmp.open(proxy, target)))),
    );
  }
  return sessions;
}

/**
 * Writes session `s`'s `commands` frames at once, then an end marker, and resolves with its
 * ledger once every frame has a reply, or after `graceMs` without one (then `answered` falls short).
 */
export function pipeline(
  ws: WebSocket,
  s: number,
  commands: number,
  groups: number,
  qemuMajor: number,
  graceMs = 60_000,
): Promise<PipelineLedger> {
  // The recording client of WsQmp would keep every reply; this one keeps counters only.
  ws.removeAllListeners('message');
  const ledger: PipelineLedger = { answered: 0, wrong: 0, refused: 0 };
  let position = 0;
  return new Promise((resolve) => {
    let timer: ReturnType<typeof setTimeout>;
    const settle = () => {
      clearTimeout(timer);
      ws.removeAllListeners('message');
      resolve(ledger);
    };
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(settle, graceMs);
    };
    ws.on('message', (data) => {
      const reply = JSON.parse(String(data)) as Message;
      if ('event' in reply) return;
      arm();
      const expected = position <= commands ? plan(s, position, groups, qemuMajor, commands) : null;
      if (errorOf(reply)?.class === 'BlockscopeOverloaded') ledger.refused++;
      if (expected?.check(reply)) ledger.answered++;
      else {
        ledger.wrong++;
        ledger.firstWrong ??= `session ${s}, reply ${position}: ${JSON.stringify(reply).slice(0, 300)}`;
      }
      if (++position === commands + 1) settle();
    });
    arm();
    for (let i = 0; i <= commands; i++) ws.send(plan(s, i, groups, qemuMajor, commands).frame);
  });
}

export interface PipelineRun {
  ledgers: PipelineLedger[];
  seconds: number;
  /** Resident memory of this process (proxy, QEMU clients and test together), MiB. */
  rssBeforeMiB: number;
  rssMaxMiB: number;
  /** Sampled every 50 ms: the most pending in one session, frames held, sessions paused. */
  maxSessionPending: number;
  maxHeld: number;
  maxPaused: number;
  maxUpstreamPending: number;
  /** The session that never reads was gone while the others still had replies to come. */
  nonReaderDroppedUnderLoad: boolean;
}

/**
 * `sessions` pipelining sessions of `commands` each against target `vm` of an in-process proxy,
 * plus one session that pipelines `query-qmp-schema` and never reads (it must be cut off, its
 * replies untaken, while the others go on).
 */
export async function runPipelines(
  proxy: ProxyHandle,
  sessions: number,
  commands: number,
  qemuMajor: number,
): Promise<PipelineRun> {
  const mux = proxy.multiplexers.get('vm')!;
  const open = await openSessions(proxy, 'vm', sessions);
  const nonReader = await WsQmp.open(proxy, 'vm');
  (nonReader.ws as unknown as { _socket: { pause(): void } })._socket.pause();
  const run: PipelineRun = {
    ledgers: [],
    seconds: 0,
    rssBeforeMiB: process.memoryUsage().rss / 2 ** 20,
    rssMaxMiB: 0,
    maxSessionPending: 0,
    maxHeld: 0,
    maxPaused: 0,
    maxUpstreamPending: 0,
    nonReaderDroppedUnderLoad: false,
  };
  let unfinished = sessions;
  const sample = () => {
    run.rssMaxMiB = Math.max(run.rssMaxMiB, process.memoryUsage().rss / 2 ** 20);
    const flow = mux.flowTotals();
    run.maxSessionPending = Math.max(run.maxSessionPending, flow.maxPending);
    run.maxHeld = Math.max(run.maxHeld, flow.held);
    run.maxPaused = Math.max(run.maxPaused, flow.paused);
    run.maxUpstreamPending = Math.max(run.maxUpstreamPending, mux.upstream.pendingCount);
    if (unfinished > 0 && mux.sessionCount === sessions) run.nonReaderDroppedUnderLoad = true;
  };
  const sampler = setInterval(sample, 50);
  const started = performance.now();
  for (let i = 0; i < 100; i++)
    nonReader.ws.send(JSON.stringify({ execute: 'query-qmp-schema', id: i }));
  run.ledgers = await Promise.all(
    open.map((session, s) =>
      pipeline(session.ws, s, commands, sessions, qemuMajor).finally(() => unfinished--),
    ),
  );
  run.seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  sample();
  nonReader.ws.terminate();
  for (const session of open) session.close();
  return run;
}
