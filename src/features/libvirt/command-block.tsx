// One virsh step: what it does, the exact text in a monospace block, and a button that copies it.
import { useState } from 'react';
import type { VirshStep } from './virsh-commands.ts';

export function CommandBlock({ step, label }: { step: VirshStep; label: string }) {
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  return (
    <figure className="flex flex-col gap-1">
      <figcaption className="text-xs text-slate-600 dark:text-slate-300">{step.says}</figcaption>
      <div className="flex items-start gap-2">
        <pre
          aria-label={label}
          className="min-w-0 flex-1 overflow-x-auto rounded bg-slate-100 px-2 py-1 font-mono text-xs whitespace-pre-wrap break-all text-slate-900 dark:bg-slate-800 dark:text-slate-100"
        >
          {step.text}
        </pre>
        <button
          type="button"
          aria-label={`Copy: ${label}`}
          className="shrink-0 rounded border border-slate-300 px-2 py-0.5 text-xs hover:bg-slate-100 dark:border-slate-600 dark:hover:bg-slate-800"
          onClick={() => {
            void navigator.clipboard?.writeText(step.text).then(
              () => setCopied('yes'),
              () => setCopied('no'),
            );
          }}
        >
          {copied === 'yes' ? 'Copied' : copied === 'no' ? 'Copy failed: select the text' : 'Copy'}
        </button>
      </div>
    </figure>
  );
}
