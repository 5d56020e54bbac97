// Above the graph: search, the device filter, fit and tidy, and the picture in three formats.
import type { GraphNode } from '../model/types.ts';

const BUTTON =
  'rounded border border-slate-300 bg-white px-2 py-1 text-xs hover:bg-slate-100 dark:border-slate-700 dark:bg-slate-900 dark:hover:bg-slate-800';

export interface ToolbarProps {
  search: string;
  onSearch(value: string): void;
  onSearchSubmit(): void;
  devices: GraphNode[];
  device: string | null;
  onDevice(id: string | null): void;
  onFit(): void;
  onTidy(): void;
  onExport(format: 'svg' | 'png' | 'dot'): void;
  status: string;
  /** The details panel is open on the right: wrap short of it rather than under it. */
  besidePanel?: boolean;
  /** How many new nodes arrived out of sight, and what brings them into view. */
  unseen?: number;
  onShowUnseen?(): void;
}

export function GraphToolbar(props: ToolbarProps) {
  return (
    <div
      role="toolbar"
      aria-label="Graph tools"
      data-graph-overlay="top"
      className={`absolute top-2 left-2 z-10 flex flex-wrap items-center gap-2 rounded-md bg-slate-50/90 p-1.5 shadow dark:bg-slate-950/90 ${
        props.besidePanel
          ? 'max-w-[calc(100%-21rem)] xl:max-w-[calc(100%-25rem)]'
          : 'max-w-[calc(100%-1rem)]'
      }`}
    >
      <input
        type="search"
        aria-label="Search nodes"
        placeholder="node-name or file…"
        value={props.search}
        onChange={(e) => props.onSearch(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') props.onSearchSubmit();
        }}
        className="w-36 rounded border xl:w-48 border-slate-300 bg-white px-2 py-1 text-xs dark:border-slate-700 dark:bg-slate-900"
      />
      <label className="flex items-center gap-1 text-xs">
        Device
        <select
          aria-label="Show device"
          value={props.device ?? ''}
          onChange={(e) => props.onDevice(e.target.value || null)}
          className="rounded border border-slate-300 bg-white px-1 py-1 text-xs dark:border-slate-700 dark:bg-slate-900"
        >
          <option value="">All devices</option>
          {props.devices.map((d) => (
            <option key={d.id} value={d.id}>
              {d.label}
            </option>
          ))}
        </select>
      </label>
      <button type="button" className={BUTTON} onClick={props.onFit}>
        Zoom to fit
      </button>
      <button type="button" className={BUTTON} onClick={props.onTidy}>
        Tidy layout
      </button>
      {/* One menu for the three pictures keeps the toolbar one row in a narrow window. */}
      <details className="relative">
        <summary className={`${BUTTON} cursor-pointer list-none select-none`}>
          Save picture <span aria-hidden>▾</span>
        </summary>
        <div className="absolute left-0 z-20 mt-1 flex flex-col gap-1 rounded border border-slate-300 bg-white p-1 shadow dark:border-slate-700 dark:bg-slate-900">
          {(['svg', 'png', 'dot'] as const).map((format) => (
            <button
              key={format}
              type="button"
              className={`${BUTTON} whitespace-nowrap text-left`}
              aria-label={`Export ${format.toUpperCase()}`}
              onClick={(e) => {
                e.currentTarget.closest('details')?.removeAttribute('open');
                props.onExport(format);
              }}
            >
              {format === 'svg' ? 'SVG image' : format === 'png' ? 'PNG image' : 'Graphviz .dot'}
            </button>
          ))}
        </div>
      </details>
      <span role="status" className="text-xs text-slate-500 dark:text-slate-400">
        {props.status}
      </span>
      {props.unseen !== undefined && props.unseen > 0 && (
        <button
          type="button"
          onClick={props.onShowUnseen}
          className="rounded border border-sky-400 bg-sky-50 px-2 py-1 text-xs font-medium text-sky-900 hover:bg-sky-100 dark:border-sky-700 dark:bg-sky-950 dark:text-sky-100"
        >
          {props.unseen} new node{props.unseen > 1 ? 's' : ''} out of view: show
        </button>
      )}
    </div>
  );
}
