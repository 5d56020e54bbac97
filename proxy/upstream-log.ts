// The server's own account of each QEMU connection on stderr: when it is made, when it is lost
// and why, and when it is back. Retries in between are not repeated: one line per change.
import type { Upstream } from './upstream.ts';

export function logUpstreamChanges(
  upstream: Pick<Upstream, 'onState' | 'stopping'>,
  name: string,
  log: (line: string) => void,
): () => void {
  let wasConnected = false;
  // What was last said: one line per outage, however often the retries fail and for what reason.
  let said: 'connected' | 'down' | 'busy' | null = null;
  const say = (kind: typeof said, line: string) => {
    if (kind === said) return;
    said = kind;
    log(`target ${name}: ${line}`);
  };
  return upstream.onState(({ state, version, reason }) => {
    if (upstream.stopping) return;
    const why = reason ? `: ${reason}` : '';
    if (state === 'connected') {
      const what = wasConnected ? 'connected again' : 'connected';
      say('connected', `${what}${version ? ` (QEMU ${version})` : ''}`);
      wasConnected = true;
    } else if (state === 'disconnected') {
      say(
        'down',
        wasConnected
          ? `QEMU connection lost${why}; retrying`
          : `cannot connect to QEMU${why}; retrying`,
      );
    } else if (state === 'busy') {
      say('busy', `the QMP monitor is held by another client${why}; retrying`);
    }
  });
}
