// The dialog an operation opens on a libvirt guest that Blockscope only watches: libvirt's way to
// do it, as command lines to copy, with the disk's name and source filled in.
import { DialogCloseButton, ModalDialog } from '../../components/modal-dialog.tsx';
import { CommandBlock } from './command-block.tsx';
import { virshLine, type VirshPlan } from './virsh-commands.ts';

export interface VirshDialogProps {
  uri: string;
  domain: string;
  /** null when the node could not be joined to one of the guest's disks. */
  plan: VirshPlan | null;
  onClose(): void;
}

export function VirshDialog({ uri, domain, plan, onClose }: VirshDialogProps) {
  const title = plan?.title ?? 'Which disk?';
  return (
    <ModalDialog label={title} onClose={onClose}>
      <div className="flex items-center">
        <h2 className="text-lg font-semibold">{title}</h2>
        <DialogCloseButton onClose={onClose} />
      </div>
      <p className="text-slate-700 dark:text-slate-300">
        libvirt manages <strong>{domain}</strong>, so Blockscope only watches it: run libvirt&apos;s
        command instead, where virsh reaches <code className="break-all">{uri}</code>. Its job shows
        in the Jobs panel and the graph as it runs.
      </p>
      {plan ? (
        <>
          {plan.steps.map((step, i) => (
            <CommandBlock key={i} step={step} label={`Step ${i + 1} of ${plan.title}`} />
          ))}
          {plan.notes.length > 0 && (
            <ul className="list-disc pl-5 text-xs text-slate-600 dark:text-slate-400">
              {plan.notes.map((note) => (
                <li key={note}>{note}</li>
              ))}
            </ul>
          )}
        </>
      ) : (
        <>
          <p role="alert" className="text-amber-900 dark:text-amber-200">
            Blockscope cannot tell which of the guest&apos;s disks this node belongs to: none of the
            sources libvirt lists is a file of its chain. List the disks with:
          </p>
          <CommandBlock
            step={{
              says: "The guest's disks as libvirt knows them.",
              text: virshLine(uri, ['domblklist', domain, '--details']),
            }}
            label="List the guest's disks"
          />
        </>
      )}
    </ModalDialog>
  );
}
