// What the letters on the graph's edges mean: the child's role, then the permissions the parent
// takes and those it lets other parents share, as in QEMU's render_block_graph.py and the .dot
// export (names from BlockPermission in qapi/block-core.json).
import { Panel } from '@xyflow/react';

const LETTERS = [
  ['w', 'write'],
  ['r', 'consistent-read'],
  ['u', 'write-unchanged'],
  ['s', 'resize'],
] as const;

export function PermLegend() {
  return (
    // Beside the zoom controls, clear of the pane's middle where a drag pans the graph.
    <Panel position="bottom-left" style={{ marginLeft: 56 }}>
      <details className="rounded border border-slate-200 bg-white/90 px-2 py-1 text-xs shadow-sm dark:border-slate-700 dark:bg-slate-900/90">
        <summary className="cursor-pointer select-none">Edge labels</summary>
        <p className="mt-1 max-w-md">
          <span className="font-mono">role perm/shared</span>: the child&apos;s role, the
          permissions the parent takes, then those it lets other parents of the child share. A
          letter is a permission, <span className="font-mono">_</span> one not taken or shared; red
          marks a conflict.
        </p>
        <ul className="mt-1 grid grid-cols-2 gap-x-3 font-mono">
          {LETTERS.map(([letter, name]) => (
            <li key={letter}>
              {letter} <span className="font-sans">{name}</span>
            </li>
          ))}
        </ul>
      </details>
    </Panel>
  );
}
