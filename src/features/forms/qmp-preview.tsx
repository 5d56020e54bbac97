// The exact QMP command the form will send, as JSON, with a copy button. What is shown is what is
// sent: the same serialised arguments go to QmpClient.execute.
import { useState } from 'react';
import type { JsonObject } from '../../qmp/wire.ts';
import { buttonClass } from './field-props.ts';

export function qmpCommandJson(command: string, args: JsonObject | undefined): string {
  return JSON.stringify(
    args ? { execute: command, arguments: args } : { execute: command },
    null,
    2,
  );
}

export function QmpPreview({
  command,
  args,
  invalid,
}: {
  command: string;
  args: JsonObject | undefined;
  invalid: boolean;
}) {
  // Remember what was copied, so the button says "Copied" only while the text is unchanged.
  const [copiedText, setCopiedText] = useState<string | null>(null);
  const text = qmpCommandJson(command, args);
  const copied = copiedText === text;
  return (
    <section aria-label="QMP preview" className="flex flex-col gap-1">
      <div className="flex items-center gap-2">
        <h3 className="text-sm font-medium">QMP preview</h3>
        {invalid && (
          <span className="text-xs text-amber-700 dark:text-amber-300">
            (incomplete: fix the marked fields)
          </span>
        )}
        <button
          type="button"
          className={`${buttonClass} ml-auto`}
          onClick={() => {
            void navigator.clipboard?.writeText(text).then(
              () => setCopiedText(text),
              () => setCopiedText(null),
            );
          }}
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
      <pre
        role="group"
        aria-label="QMP command JSON"
        className="max-h-64 overflow-auto rounded bg-slate-100 p-2 font-mono text-xs dark:bg-slate-950"
      >
        {text}
      </pre>
    </section>
  );
}
