// Which lifecycle controls a job offers, and which QMP command each one sends.
// The verb table is QEMU's (job.c JobVerbTable, qmp-domain.md §4.1); a verb outside it is
// refused with "Job 'X' in state 'Y' cannot accept command verb 'Z'", so the UI never offers it.
// Command names are feature-detected from the live schema: `job-*` where present (7.2 has them;
// block-job-pause/resume/complete/finalize/dismiss are deprecated from 10.1), else `block-job-*`.
import type { JsonObject } from '../../qmp/wire.ts';
import type { JobRow } from './job-model.ts';

export type JobVerb =
  'cancel' | 'pause' | 'resume' | 'set-speed' | 'complete' | 'finalize' | 'dismiss' | 'change';

const VERB_STATES: Record<JobVerb, readonly string[]> = {
  cancel: ['created', 'running', 'paused', 'ready', 'standby', 'waiting', 'pending'],
  pause: ['created', 'running', 'paused', 'ready', 'standby'],
  resume: ['created', 'running', 'paused', 'ready', 'standby'],
  'set-speed': ['created', 'running', 'paused', 'ready', 'standby'],
  complete: ['ready', 'standby'],
  finalize: ['pending'],
  dismiss: ['concluded'],
  change: ['created', 'running', 'paused', 'ready', 'standby'],
};

/** True when QEMU's verb table allows `verb` in `status`. */
export function verbAllowed(verb: JobVerb, status: string): boolean {
  return VERB_STATES[verb].includes(status);
}

/** The job-control commands this QEMU has, from `query-qmp-schema` command names. */
export interface JobCommands {
  has: (command: string) => boolean;
}

/** Minimal detection from the raw `query-qmp-schema` return (entries with meta-type "command"). */
export function jobCommandsFromSchema(schema: unknown): JobCommands {
  const names = new Set<string>();
  if (Array.isArray(schema)) {
    for (const entry of schema) {
      if (
        typeof entry === 'object' &&
        entry !== null &&
        (entry as { 'meta-type'?: unknown })['meta-type'] === 'command' &&
        typeof (entry as { name?: unknown }).name === 'string'
      ) {
        names.add((entry as { name: string }).name);
      }
    }
  }
  return { has: (command) => names.has(command) };
}

/** A control the panel shows; `command`+`args` is exactly what gets sent. */
export interface JobControl {
  key: string;
  label: string;
  /** Longer text for the button's title: what this does to the guest's disk. */
  help: string;
  command: string;
  args: JsonObject;
  danger?: boolean;
}

/** `job-<verb> {id}` when the schema has it, else `block-job-<verb> {device}` for block jobs. */
function pick(
  commands: JobCommands,
  job: JobRow,
  verb: 'pause' | 'resume' | 'complete' | 'finalize' | 'dismiss' | 'cancel',
): { command: string; args: JsonObject } | null {
  if (commands.has(`job-${verb}`)) return { command: `job-${verb}`, args: { id: job.id } };
  if (job.isBlockJob && commands.has(`block-job-${verb}`)) {
    return { command: `block-job-${verb}`, args: { device: job.id } };
  }
  return null;
}

/** The controls to offer for `job` right now, in display order. */
export function jobControls(job: JobRow, commands: JobCommands): JobControl[] {
  const out: JobControl[] = [];
  const add = (control: Omit<JobControl, 'command' | 'args'>, sent: ReturnType<typeof pick>) => {
    if (sent) out.push({ ...control, ...sent });
  };
  const s = job.status;
  if (verbAllowed('complete', s)) {
    add(
      { key: 'complete', label: 'Complete', help: 'Switch over to the target (pivot) and finish' },
      pick(commands, job, 'complete'),
    );
  }
  if (verbAllowed('finalize', s)) {
    add(
      { key: 'finalize', label: 'Finalize', help: 'Apply the result and conclude the job' },
      pick(commands, job, 'finalize'),
    );
  }
  // `paused` is the job's own pause count; a job paused by an I/O error (io-status failed)
  // is resumed the same way.
  const paused = s === 'paused' || s === 'standby';
  if (!paused && verbAllowed('pause', s)) {
    add({ key: 'pause', label: 'Pause', help: 'Pause copying' }, pick(commands, job, 'pause'));
  }
  if (paused && verbAllowed('resume', s)) {
    add({ key: 'resume', label: 'Resume', help: 'Resume copying' }, pick(commands, job, 'resume'));
  }
  if (verbAllowed('cancel', s)) {
    // A ready mirror cancelled without force finishes the copy without switching over;
    // job-cancel always forces (qmp-domain.md §4.3).
    const readyMirror = job.type === 'mirror' && (s === 'ready' || s === 'standby');
    if (readyMirror && job.isBlockJob && commands.has('block-job-cancel')) {
      out.push({
        key: 'finish-keep-source',
        label: 'Finish, keep source',
        help: 'Stop mirroring without switching over; the device stays on the source',
        command: 'block-job-cancel',
        args: { device: job.id, force: false },
      });
    }
    const forced =
      commands.has('job-cancel') || !job.isBlockJob
        ? pick(commands, job, 'cancel')
        : commands.has('block-job-cancel')
          ? { command: 'block-job-cancel', args: { device: job.id, force: true } }
          : null;
    add(
      {
        key: 'cancel',
        label: 'Cancel',
        help: readyMirror ? 'Abort (forced): the target is left incomplete' : 'Abort the job',
        danger: true,
      },
      forced,
    );
  }
  // 8.2+: a mirror can switch to write-blocking copy mode (guest writes wait for the target), so
  // it converges under heavy writes. QEMU only allows background → write-blocking.
  if (
    job.type === 'mirror' &&
    job.isBlockJob &&
    job.activelySynced !== true &&
    verbAllowed('change', s) &&
    commands.has('block-job-change')
  ) {
    out.push({
      key: 'write-blocking',
      label: 'Sync actively',
      help: 'Switch to write-blocking copy mode: guest writes complete only once on the target',
      command: 'block-job-change',
      args: { id: job.id, type: 'mirror', 'copy-mode': 'write-blocking' },
    });
  }
  if (verbAllowed('dismiss', s)) {
    add(
      { key: 'dismiss', label: 'Dismiss', help: 'Remove the concluded job from QEMU' },
      pick(commands, job, 'dismiss'),
    );
  }
  return out;
}

/** The command to change a running block job's speed limit, or null when it cannot be changed. */
export function setSpeedCommand(
  job: JobRow,
  commands: JobCommands,
  bytesPerSecond: number,
): { command: string; args: JsonObject } | null {
  if (!job.isBlockJob || !verbAllowed('set-speed', job.status)) return null;
  if (!commands.has('block-job-set-speed')) return null;
  return {
    command: 'block-job-set-speed',
    args: { device: job.id, speed: Math.max(0, Math.round(bytesPerSecond)) },
  };
}
