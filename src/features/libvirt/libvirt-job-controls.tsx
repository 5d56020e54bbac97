// A job's controls on a libvirt guest that Blockscope only watches: the virsh lines that leave
// libvirt in charge of its own job (blockjob --pivot, --abort, --bandwidth; domjobabort for a
// backup).
import type { LibvirtTarget } from '../../api/session.ts';
import { CommandBlock } from './command-block.tsx';
import { virshJobSteps } from './virsh-job-steps.ts';

export function LibvirtJobControls({
  target,
  job,
}: {
  target: LibvirtTarget;
  job: { id: string; type: string; status: string };
}) {
  const steps = virshJobSteps(target.uri, target.domain, job);
  return (
    <details className="text-xs">
      <summary className="cursor-pointer text-slate-600 dark:text-slate-300">
        Controlled by libvirt: virsh commands
      </summary>
      <div className="mt-1 flex flex-col gap-2">
        {steps.length === 0 ? (
          <p className="text-slate-500 dark:text-slate-400">
            libvirt did not start this job under a name that says its disk; see virsh blockjob.
          </p>
        ) : (
          steps.map((step, i) => (
            <CommandBlock key={i} step={step} label={`${job.id}: ${step.says}`} />
          ))
        )}
      </div>
    </details>
  );
}
