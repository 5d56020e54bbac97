// The dialog an operation opens on a libvirt guest that Blockscope only watches: libvirt's way to
// do it, as command lines to copy, with the disk's name and source filled in.
import { useEffect, useRef } from 'react';
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
  const close = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    close.current?.focus();
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  const title = plan?.title ?? 'Which disk?';
  return (
    <div className="fixed inset-0 z-50 grid place-items-center bg-black/40 p-4">
      <div
        role="dialog"
        aria-modal="true"
        aria-label={title}
        className="flex max-h-full w-[44rem] max-w-full flex-col gap-3 overflow-auto rounded-lg bg-white p-4 text-sm shadow-xl dark:bg-slate-900"
      >
        <div className="flex items-center">
          <h2 className="text-lg font-semibold">{title}</h2>
          <button
            ref={close}
            type="button"
            onClick={onClose}
            className="ml-auto rounded border px-2 py-0.5 text-sm dark:border-slate-600"
          >
            Close
          </button>
        </div>
        <p className="text-slate-700 dark:text-slate-300">
          libvirt manages <strong>{domain}</strong>, so Blockscope only watches it: run
          libvirt&apos;s command instead, where virsh reaches{' '}
          <code className="break-all">{uri}</code>. Its job shows in the Jobs panel and the graph as
          it runs.
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
              Blockscope cannot tell which of the guest&apos;s disks this node belongs to: none of
              the sources libvirt lists is a file of its chain. List the disks with:
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
      </div>
    </div>
  );
}
