// libvirt's own event stream for one connection: `virsh -c URI event --all --loop` prints one line
// per event ("event 'lifecycle' for domain 'web1': Started Booted") until the connection ends, and
// then exits. A guest starting or stopping, and a block job of libvirt's, are heard at once this
// way; the list itself is always read again (virsh list), never inferred from the event text.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { firstErrorLine, libvirtClientEnv } from './virsh.ts';

export interface DomainEvent {
  /** libvirt's event name: lifecycle, block-job, block-job-2, device-removed, … */
  type: string;
  domain: string;
  detail: string;
}

const LINE = /^event '([\w-]+)' for domain '(.*)'(?:: (.*))?$/;

export function parseEventLine(line: string): DomainEvent | null {
  const match = LINE.exec(line.trim());
  if (!match) return null;
  return { type: match[1]!, domain: match[2]!, detail: match[3] ?? '' };
}

export class DomainEvents {
  private child: ChildProcess | null = null;

  /** Starts the stream; `onExit` gets virsh's reason once the connection (or virsh) has ended. */
  start(uri: string, onEvent: (event: DomainEvent) => void, onExit: (reason: string) => void) {
    const child = spawn('virsh', ['-c', uri, 'event', '--all', '--loop'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: libvirtClientEnv(),
    });
    this.child = child;
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + String(chunk)).slice(-4000)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const event = parseEventLine(line);
      if (event) onEvent(event);
    });
    const ended = (reason: string) => {
      if (this.child !== child) return;
      this.child = null;
      onExit(reason);
    };
    child.on('error', (error) => ended(error.message));
    child.on('exit', () => ended(firstErrorLine(stderr)));
  }

  stop(): void {
    const child = this.child;
    this.child = null;
    child?.kill('SIGTERM');
  }
}
