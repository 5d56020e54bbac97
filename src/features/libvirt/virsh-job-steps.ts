// The controls of a job libvirt runs, as virsh lines: libvirt names its jobs after the disk
// (copy-vda-libvirt-1-format, commit-…, pull-…, backup-…), so the line can name it too. React-free.
import { virshLine, type VirshStep } from './virsh-commands.ts';

/** The disk a libvirt job works on: libvirt names its jobs copy-vda-libvirt-1-format, … */
export function diskOfLibvirtJob(jobId: string): string | null {
  const match = /^(?:copy|commit|active-commit|pull|backup)-([a-z][a-z0-9]*)-libvirt-/.exec(jobId);
  return match?.[1] ?? null;
}

/** The virsh controls of a job libvirt runs, for the state it is in. */
export function virshJobSteps(
  uri: string,
  domain: string,
  job: { id: string; type: string; status: string },
): VirshStep[] {
  if (job.type === 'backup') {
    return [{ says: 'End the backup.', text: virshLine(uri, ['domjobabort', domain]) }];
  }
  // libvirt's own image-creation steps, and jobs someone else started, have no virsh control
  const disk = diskOfLibvirtJob(job.id);
  if (disk === null) return [];
  const steps: VirshStep[] = [];
  if (job.status === 'ready' && (job.type === 'mirror' || job.type === 'commit')) {
    steps.push({
      says: 'Switch the guest over and end the job.',
      text: virshLine(uri, ['blockjob', domain, disk, '--pivot']),
    });
  }
  steps.push(
    { says: 'Cancel the job.', text: virshLine(uri, ['blockjob', domain, disk, '--abort']) },
    {
      says: 'Change its speed limit (MiB/s; 0 for none).',
      text: virshLine(uri, ['blockjob', domain, disk, '--bandwidth', '10']),
    },
  );
  return steps;
}
