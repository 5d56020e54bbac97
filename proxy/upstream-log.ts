// The server's own account of each QEMU connection on stderr: when it is made, when it is lost
// and why, and when it is back. Retries in between are not repeated: one line per change.
import type { Upstream } from './upstream.ts';

export function logUpstreamChanges(
  upstream: Pick<Upstream, 'onState' | 'stopping'>,
  name: string,
  log: (line: string) => void,
): () => void {
  let wasConnected = false;
  let lastLine = '';
  const say = (line: string) => {
    if (line === lastLine) return;
    lastLine = line;
    log(`target ${name}: ${line}`);
  };
  return upstream.onState(({ state, version, reason }) => {
    if (upstream.stopping) return;
    const why = reason ? `: ${reason}` : '';
    if (state === 'connected') {
      say(`${wasConnected ? 'connected again' : 'connected'}${version ? ` (QEMU ${version})` : ''}`);
      wasConnected = true;
    } else if (state === 'disconnected') {
      say(
        wasConnected
          ? `QEMU connection lost${why}; retrying`
          : `cannot connect to QEMU${why}; retrying`,
      );
    } else if (state === 'busy') {
      say(`the QMP monitor is held by another client${why}; retrying`);
    }
  });
}
